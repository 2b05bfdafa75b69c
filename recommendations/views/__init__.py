"""The pages of the recommendations app: tailored recommendations, the report, general recommendations and partners."""
