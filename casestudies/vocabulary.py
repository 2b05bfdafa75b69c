"""The fifteen recommendation themes, with the stable keys that case studies and recommendation rules use.

The dimensions and city types come from `opencities.method`; the tag tables mirror all three (a data
migration fills them, a test checks they agree).
"""

from django.utils.translation import gettext_lazy as _

RECOMMENDATION_THEMES = (
    ("openness-strategy", _("Openness strategy & coalition")),
    ("newcomer-unit", _("Newcomer unit & monitoring")),
    ("welcome-centre", _("Welcome centre & multilingual information")),
    ("entry-advocacy", _("Advocacy on entry and recognition")),
    ("talent", _("Talent attraction & retention")),
    ("students-graduates", _("International students & graduate retention")),
    ("language-learning", _("Language learning incl. early years")),
    ("employability-entrepreneurship", _("Employability & migrant entrepreneurship")),
    ("housing-mixing", _("Housing & neighbourhood mixing")),
    ("anti-discrimination", _("Anti-discrimination & intercultural space")),
    ("participation", _("Civic & political participation")),
    ("investment-brand", _("Investment promotion & city brand")),
    ("international-events", _("International events")),
    ("connectivity-visitors", _("Connectivity & visitor strategy")),
    ("quality-cost-of-living", _("Newcomer quality and cost of living")),
)
