from casestudies.imports import ImportFileCommand
from casestudies.resources import CaseStudyResource


class Command(ImportFileCommand):
    help = "Import case studies from a CSV, XLSX or JSON file (the admin's format): all rows or none."
    noun = "case studies"

    def resource(self):
        return CaseStudyResource()
