from casestudies.resources import CaseStudyResource
from opencities.imports import ImportFileCommand


class Command(ImportFileCommand):
    help = "Import case studies from a CSV, XLSX or JSON file (the admin's format): all rows or none."
    noun = "case studies"

    def resource(self):
        return CaseStudyResource()
