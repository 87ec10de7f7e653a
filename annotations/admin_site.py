"""The desk's admin site: the organisation's name in the header, "View site" leading to the
public pages, and the home page of a desk user showing their work queues and the desk's figures
(selectors/desk.py) above the list of models.

Outside the annotations.admin package on purpose: importing that package registers our models
on `admin.site`, which is this class's instance; were the class inside it, the first use of
`admin.site` would import the package while the site is still being made, and the models would
be registered on a first instance that the finished one then replaces."""

from django.conf import settings
from django.contrib import admin

from . import roles, selectors
from .charts import bar_chart, duration_words


class DeskAdminSite(admin.AdminSite):
    index_template = "admin/desk_index.html"
    site_url = "/"

    @property
    def site_header(self):
        return settings.FACTCHECK_ORG_NAME

    @property
    def site_title(self):
        return settings.FACTCHECK_ORG_NAME

    index_title = "The desk"

    def index(self, request, extra_context=None):
        context = dict(extra_context or {})
        if roles.is_annotator(request.user):
            figures = selectors.dashboard()
            statuses = [(label, n) for _, label, n in figures.by_status]
            ratings = [(label, n) for _, label, n in figures.by_rating]
            context.update(
                queues=selectors.desk_queues(request.user),
                figures=figures,
                median_words=duration_words(figures.median_to_publication),
                charts=[
                    bar_chart("Rulings by status", statuses),
                    bar_chart("Rulings by rating", ratings),
                    bar_chart("Published per week (week of)", figures.per_week),
                ],
            )
        return super().index(request, context)
