"""The EU AI Act questionnaire on an AI system's page. Questions in plain language; the rules live in
``registry.classification`` and the change in ``registry.services.ai_system_classify``."""

from django import forms
from django.utils.translation import gettext_lazy as _

from registry import eu_ai_act
from registry.constants import OperatorRole

NONE = "none"


class ClassificationForm(forms.Form):
    """Answers to the EU AI Act questions. ``answers()`` gives them in the shape the service takes.

    Radio and checkbox groups are rendered by templates/registry/partials/choice_group.html (a fieldset).
    """

    operator_role = forms.ChoiceField(
        label=_("What is your organisation's role for this system?"),
        choices=OperatorRole.choices,
        widget=forms.RadioSelect,
        help_text=_(
            "Developers that put the system on the market or into service under their own name count as "
            "its provider. Deployers use it in their work; importers and distributors pass on someone else's system."
        ),
    )
    prohibited_practice = forms.ChoiceField(
        label=_("Does the system do any of these banned things? (Art. 5)"),
        widget=forms.RadioSelect,
        initial=NONE,
        help_text=_(
            "These practices have been banned in the EU since 2 February 2025. If one applies, nothing "
            "else matters: the system may not be offered or used."
        ),
    )
    annex_i_product = forms.BooleanField(
        label=_("Is the system a safety component of a regulated product, or such a product itself? (Annex I)"),
        required=False,
        help_text=_(
            "For example AI in a medical device, a machine, a lift, a toy or a vehicle covered by the EU "
            "product-safety legislation listed in Annex I."
        ),
    )
    annex_i_act = forms.ChoiceField(
        label=_("Which product legislation covers the product?"),
        required=False,
        help_text=_("Only when you answered yes above."),
    )
    third_party_conformity = forms.BooleanField(
        label=_("Must the product pass a conformity assessment by an independent body (a notified body)?"),
        required=False,
        help_text=_("Only products that need a third-party check make the AI system high-risk on this route."),
    )
    annex_iii_point = forms.ChoiceField(
        label=_("Is the system intended for one of these uses? (Annex III)"),
        required=False,
        help_text=_("Choose the point closest to the system's intended purpose, or leave it at 'None of these uses'."),
    )
    derogation_condition = forms.ChoiceField(
        label=_("Does the system only play a limited part in that use? (Art. 6(3))"),
        widget=forms.RadioSelect,
        initial=NONE,
        help_text=_(
            "An Annex III system is not high-risk when it poses no significant risk because one of these "
            "holds. As provider you must then document why and still register the system."
        ),
    )
    profiles_natural_persons = forms.BooleanField(
        label=_("Does the system profile people?"),
        required=False,
        help_text=_(
            "Profiling: automatically evaluating personal aspects such as work performance, economic "
            "situation, health, preferences, behaviour or location. A system that profiles people is always "
            "high-risk when it is used for an Annex III purpose."
        ),
    )
    art50_cases = forms.MultipleChoiceField(
        label=_("Which of these describe the system? (Art. 50)"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("These bring transparency duties, on top of any other tier."),
    )
    is_gpai_model = forms.BooleanField(
        label=_("Is this a general-purpose AI model? (Chapter V)"),
        required=False,
        help_text=_(
            "A model trained on broad data that can do a wide range of distinct tasks, such as a large "
            "language model that others build on. Its duties fall on whoever provides the model."
        ),
    )
    gpai_systemic_risk = forms.BooleanField(
        label=_("Does the model have systemic risk? (Art. 51)"),
        required=False,
        help_text=_(
            "Presumed when training used more than 10^25 floating-point operations, or when the "
            "Commission has designated the model."
        ),
    )
    deployer_is_public_body_or_public_service = forms.BooleanField(
        label=_("Is your organisation a public body, or a private one providing a public service?"),
        required=False,
        help_text=_(
            "Deployers of this kind must assess the impact on fundamental rights before using a high-risk "
            "system (Art. 27)."
        ),
    )

    fieldsets = [
        (_("Your role"), ["operator_role", "deployer_is_public_body_or_public_service"]),
        (_("Banned practices"), ["prohibited_practice"]),
        (_("Regulated products"), ["annex_i_product", "annex_i_act", "third_party_conformity"]),
        (_("High-risk uses"), ["annex_iii_point", "derogation_condition", "profiles_natural_persons"]),
        (_("Transparency"), ["art50_cases"]),
        (_("General-purpose AI models"), ["is_gpai_model", "gpai_systemic_risk"]),
    ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["prohibited_practice"].choices = [(NONE, _("None of these")), *eu_ai_act.practice_choices()]
        self.fields["annex_i_act"].choices = [("", _("Not a regulated product")), *eu_ai_act.annex_i_choices()]
        self.fields["annex_iii_point"].choices = [("", _("None of these uses")), *eu_ai_act.annex_iii_choices()]
        self.fields["derogation_condition"].choices = [
            (NONE, _("No: it plays a full part in the use (or no Annex III use applies)")),
            *eu_ai_act.derogation_choices(),
        ]
        self.fields["art50_cases"].choices = eu_ai_act.transparency_choices()

    @classmethod
    def initial_from(cls, system, answers: dict | None) -> dict:
        """Start from the current classification's answers, else from the system's recorded role."""
        initial = {"operator_role": system.operator_role, "prohibited_practice": NONE, "derogation_condition": NONE}
        for name, value in (answers or {}).items():
            if name in cls.base_fields and value is not None:
                initial[name] = value
        return initial

    def answers(self) -> dict:
        """The cleaned answers; "none of these" becomes ``None``."""
        data = dict(self.cleaned_data)
        for name in ("prohibited_practice", "annex_i_act", "annex_iii_point", "derogation_condition"):
            if data.get(name) in ("", NONE):
                data[name] = None
        return data
