# The site's English is British (the OPENCities network is European first): "4 December 2026", as the PDFs
# and most pages write dates, rather than Django's American default "Dec. 4, 2026". Other formats are Django's.
DATE_FORMAT = "j F Y"
DATETIME_FORMAT = "j F Y, H:i"
MONTH_DAY_FORMAT = "j F"
