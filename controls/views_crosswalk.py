"""The crosswalk page: pick two frameworks, see every pair that links them, filter and export."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.paginator import Paginator
from django.db.models import Case, F, When
from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext
from django.views.generic import TemplateView

from aims.crud import OrganisationViewMixin
from aims.exports import EXPORT_FORMATS, export_response
from controls.filtersets import CrosswalkFilterSet
from controls.models import Framework, Requirement, RequirementMapping
from controls.selectors import default_crosswalk_pair
from controls.views import as_uuid

PAGE_SIZE = 100


@dataclass
class Pair:
    """A mapping read from the left framework's side."""

    mapping: RequirementMapping
    left: Requirement
    right: Requirement
    forward: bool  # the published direction is left → right


def _oriented(mapping: RequirementMapping, left: Framework) -> Pair:
    forward = mapping.source.framework_id == left.pk
    return Pair(mapping, *((mapping.source, mapping.target) if forward else (mapping.target, mapping.source)), forward)


def export_fields(left: Framework, right: Framework) -> list:
    def end(side, attr):
        def get(mapping):
            pair = _oriented(mapping, left)
            return getattr(pair.left if side == "left" else pair.right, attr)

        return get

    return [
        (f"{left.name} identifier", end("left", "identifier")),
        (f"{left.name} title", end("left", "title")),
        ("Relationship", lambda m: m.get_relationship_display()),
        (f"{right.name} identifier", end("right", "identifier")),
        (f"{right.name} title", end("right", "title")),
        ("Direction", lambda m: "published left to right" if _oriented(m, left).forward else "published right to left"),
        ("Source", "origin_label"),
        ("Source link", "source_url"),
        ("Note", "note"),
    ]


class CrosswalkView(OrganisationViewMixin, TemplateView):
    """Every published and own mapping between framework ``a`` and framework ``b`` (query parameters)."""

    model = RequirementMapping
    url_base = "controls:mapping"
    template_name = "controls/crosswalk.html"

    def get(self, request, *args, **kwargs):
        frameworks = list(Framework.objects.visible_to(request.user, request.organisation).order_by("name", "version"))
        by_id = {fw.pk: fw for fw in frameworks}
        default_left, default_right = default_crosswalk_pair(request.user, request.organisation)
        left = by_id.get(as_uuid(request.GET.get("a"))) if request.GET.get("a") else default_left
        right = by_id.get(as_uuid(request.GET.get("b"))) if request.GET.get("b") else default_right
        context = {
            **self.common_context(),
            "title": gettext("Crosswalks"),
            "frameworks": frameworks,
            "left": left,
            "right": right,
            "export_formats": EXPORT_FORMATS,
        }
        if left is None or right is None or left.pk == right.pk:
            context["problem"] = (
                gettext("Choose two different frameworks.")
                if left is not None and left == right
                else gettext("Choose two frameworks.")
            )
            return render(request, self.template_name, context)

        pairs = (
            RequirementMapping.objects.visible_to(request.user, request.organisation)
            .between(left, right)
            .with_ends()
            .annotate(
                left_order=Case(
                    When(source__framework=left, then=F("source__sort_order")), default=F("target__sort_order")
                ),
                right_order=Case(
                    When(source__framework=left, then=F("target__sort_order")), default=F("source__sort_order")
                ),
            )
        )
        filterset = CrosswalkFilterSet(request.GET or None, queryset=pairs, request=request)
        rows = (filterset.qs if filterset.is_bound and filterset.is_valid() else pairs).order_by(
            "left_order", "right_order", "pk"
        )
        export = request.GET.get("export")
        if export:
            if export not in EXPORT_FORMATS:
                raise Http404
            self.require("export")
            return export_response(
                rows, export_fields(left, right), export, filename=f"crosswalk-{left.key}-{right.key}"
            )
        page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
        context.update(
            filter=filterset,
            page_obj=page,
            pairs=[_oriented(mapping, left) for mapping in page.object_list],
            coverage=self.coverage(pairs, left, right),
        )
        return render(request, self.template_name, context)

    @staticmethod
    def coverage(pairs, left, right) -> dict:
        """How many requirements of each side the (unfiltered) crosswalk touches, in one query."""
        ends = list(pairs.values_list("source_id", "source__framework_id", "target_id"))
        left_ids = {s if fw == left.pk else t for s, fw, t in ends}
        right_ids = {t if fw == left.pk else s for s, fw, t in ends}
        return {"pairs": len(ends), "left": len(left_ids), "right": len(right_ids)}
