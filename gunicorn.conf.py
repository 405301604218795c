# gunicorn reads this file from the folder it starts in (/app in the image): the access log
# (enabled with --access-logfile) carries no secret and no personal data from URLs.
logger_class = "network.gunicorn_log.AccessLogSenzaDatiPersonali"
