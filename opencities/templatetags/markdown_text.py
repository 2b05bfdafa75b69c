from django import template

from opencities.markdown import render_markdown

register = template.Library()


@register.filter(name="markdown")
def markdown_filter(text):
    """{{ case_study.what_was_done|markdown }}: rendered and sanitised."""
    return render_markdown(text)
