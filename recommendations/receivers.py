from . import services


def queue_report_on_submit(sender, assessment, user, **kwargs):
    """Every submission gets its report, generated once the submission commits."""
    services.report_request(assessment=assessment, user=user)
