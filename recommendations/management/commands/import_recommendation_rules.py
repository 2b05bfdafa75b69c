from opencities.imports import ImportFileCommand
from recommendations.resources import RecommendationRuleResource


class Command(ImportFileCommand):
    help = "Import recommendation rules from a CSV, XLSX or JSON file (the admin's format): all rows or none."
    noun = "recommendation rules"

    def resource(self):
        return RecommendationRuleResource()
