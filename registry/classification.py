"""EU AI Act classification of an AI system: pure functions from questionnaire answers to a result.

No database here. ``parse_answers`` checks raw answers (from a form, the API or an import) and returns
:class:`Answers`; ``classify`` decides the tier, the articles that apply to the organisation in its role,
their application dates, and the reasons, each naming the answer that led there.

The rules, in order (Regulation (EU) 2024/1689; see registry/data/eu_ai_act.yaml):

1. A practice listed in Art. 5(1) makes the system prohibited; nothing else is considered.
2. High-risk (Art. 6) through Annex I (a product under the listed legislation that needs a third-party
   conformity assessment, Art. 6(1)) or through an Annex III use case (Art. 6(2)), unless one of the
   Art. 6(3) conditions holds and the system does not profile natural persons (profiling voids it).
   A provider relying on the derogation still documents it (Art. 6(4)) and registers (Art. 49(2)).
3. Art. 50 transparency cases and the general-purpose AI model duties (Chapter V) add their obligations
   to whatever else applies; the tier is the highest that applies:
   prohibited > high > general-purpose AI model > transparency (limited) > minimal.
4. Art. 4 AI literacy applies to providers and deployers in every tier.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from registry.constants import EUTier, OperatorRole
from registry.eu_ai_act import Reference, reference

NONE_VALUES = (None, "", "none")
BOOLEAN_FIELDS = (
    "annex_i_product",
    "third_party_conformity",
    "profiles_natural_persons",
    "is_gpai_model",
    "gpai_systemic_risk",
    "deployer_is_public_body_or_public_service",
)
CHOICE_FIELDS = ("prohibited_practice", "annex_i_act", "annex_iii_point", "derogation_condition")
ANSWER_FIELDS = ("operator_role", *CHOICE_FIELDS, "art50_cases", *BOOLEAN_FIELDS)
PROVIDER, DEPLOYER, IMPORTER, DISTRIBUTOR = "provider", "deployer", "importer", "distributor"
TIER_ORDER = (EUTier.PROHIBITED, EUTier.HIGH, EUTier.GPAI, EUTier.LIMITED, EUTier.MINIMAL)
QUESTIONS = {
    "operator_role": gettext_lazy("Our role"),
    "prohibited_practice": gettext_lazy("Banned practice (Art. 5)"),
    "annex_i_product": gettext_lazy("Regulated product (Annex I)"),
    "annex_i_act": gettext_lazy("Product legislation (Annex I)"),
    "third_party_conformity": gettext_lazy("Third-party conformity assessment"),
    "annex_iii_point": gettext_lazy("High-risk use (Annex III)"),
    "derogation_condition": gettext_lazy("Limited part in the use (Art. 6(3))"),
    "profiles_natural_persons": gettext_lazy("Profiles people"),
    "art50_cases": gettext_lazy("Transparency case (Art. 50)"),
    "is_gpai_model": gettext_lazy("General-purpose AI model"),
    "gpai_systemic_risk": gettext_lazy("Systemic risk (Art. 51)"),
    "deployer_is_public_body_or_public_service": gettext_lazy("Public body or public service"),
}

# The Act's operator roles in words, for the reasons (English: the role keys themselves).
ROLE_NAMES = {
    PROVIDER: gettext_lazy("provider"),
    DEPLOYER: gettext_lazy("deployer"),
    IMPORTER: gettext_lazy("importer"),
    DISTRIBUTOR: gettext_lazy("distributor"),
}
# Reason values that are words rather than keys, shown translated next to the question.
VALUE_WORDS = {"yes": gettext_lazy("yes"), "no": gettext_lazy("no"), "none": gettext_lazy("none")}


def role_name(role: str) -> str:
    return str(ROLE_NAMES.get(role, role))


class InvalidAnswers(ValueError):
    """Answers that cannot be classified: ``errors`` maps each answer's name to messages."""

    def __init__(self, errors: dict[str, list[str]]):
        self.errors = errors
        super().__init__("; ".join(f"{k}: {' '.join(v)}" for k, v in errors.items()))


@dataclass(frozen=True)
class Answers:
    """The questionnaire, normalised: choice answers are ``None`` when "none of these"."""

    operator_role: str
    prohibited_practice: str | None = None
    annex_i_product: bool = False
    annex_i_act: str | None = None
    third_party_conformity: bool = False
    annex_iii_point: str | None = None
    derogation_condition: str | None = None
    profiles_natural_persons: bool = False
    art50_cases: tuple[str, ...] = ()
    is_gpai_model: bool = False
    gpai_systemic_risk: bool = False
    deployer_is_public_body_or_public_service: bool = False

    def as_dict(self) -> dict:
        data = asdict(self)
        data["art50_cases"] = list(self.art50_cases)
        return data


@dataclass(frozen=True)
class Obligation:
    article: str  # "Art. 9", "Art. 50(1)"
    title: str
    summary: str
    applies_from: str  # ISO date
    note: str = ""


@dataclass(frozen=True)
class Reason:
    answer: str  # the name of the answer that led here
    value: str
    text: str
    question: str = ""  # the answer's question, in words

    def __post_init__(self):
        if not self.question:
            # Stored as JSON: the question in words, in the language of the person classifying.
            object.__setattr__(self, "question", str(QUESTIONS.get(self.answer, self.answer)))


@dataclass(frozen=True)
class Result:
    tier: str
    basis: str
    operator_role: str
    obligations: list[Obligation] = field(default_factory=list)
    reasons: list[Reason] = field(default_factory=list)

    def obligations_data(self) -> list[dict]:
        return [asdict(o) for o in self.obligations]

    def reasons_data(self) -> list[dict]:
        return [asdict(r) for r in self.reasons]

    @property
    def articles(self) -> list[str]:
        return [o.article for o in self.obligations]


# Parsing -------------------------------------------------------------------------------------------


def parse_answers(data: Mapping, ref: Reference | None = None) -> Answers:
    """Check raw answers and return them normalised; raise :class:`InvalidAnswers` naming each bad field.

    Dependent answers of a question answered "no" are dropped (an Annex I act without an Annex I
    product, systemic risk without a general-purpose model), so they never decide anything.
    """
    ref = ref or reference()
    errors: dict[str, list[str]] = {}

    def error(name: str, message: str) -> None:
        errors.setdefault(name, []).append(message)

    for name in data:
        if name not in ANSWER_FIELDS:
            error(name, _("Unknown question."))

    role = data.get("operator_role")
    roles = {c.value for c in OperatorRole}
    if role in NONE_VALUES:
        error("operator_role", _("Say what the organisation's role is for this system."))
    elif role not in roles:
        error("operator_role", _("Choose one of: %(roles)s.") % {"roles": ", ".join(sorted(roles))})

    allowed = {
        "prohibited_practice": ref.practices,
        "annex_i_act": ref.annex_i_acts,
        "annex_iii_point": ref.annex_iii_points,
        "derogation_condition": ref.derogation_conditions,
    }
    choices: dict[str, str | None] = {}
    for name in CHOICE_FIELDS:
        value = data.get(name)
        if value in NONE_VALUES:
            choices[name] = None
        elif not isinstance(value, str) or value not in allowed[name]:
            error(name, _("Unknown answer %(value)s.") % {"value": repr(value)})
        else:
            choices[name] = value

    flags: dict[str, bool] = {}
    for name in BOOLEAN_FIELDS:
        value = data.get(name, False)
        if isinstance(value, bool):
            flags[name] = value
        else:
            error(name, _("Answer yes (true) or no (false)."))

    raw_cases = data.get("art50_cases") or []
    cases: list[str] = []
    if isinstance(raw_cases, str) or not isinstance(raw_cases, list | tuple | set | frozenset):
        error("art50_cases", _("Give a list of transparency cases."))
    else:
        for case in raw_cases:
            if case not in ref.transparency_cases:
                error("art50_cases", _("Unknown transparency case %(case)s.") % {"case": repr(case)})
            elif case not in cases:
                cases.append(case)

    if not errors:
        if flags["annex_i_product"] and choices["annex_i_act"] is None:
            error("annex_i_act", _("Choose the product legislation of Annex I that covers the product."))
        if choices["derogation_condition"] is not None and choices["annex_iii_point"] is None:
            error(
                "derogation_condition",
                _("The Art. 6(3) derogation only exists for an Annex III use case: choose the Annex III point first."),
            )
    if errors:
        raise InvalidAnswers(errors)

    annex_i = flags["annex_i_product"]
    gpai = flags["is_gpai_model"]
    return Answers(
        operator_role=role,
        prohibited_practice=choices["prohibited_practice"],
        annex_i_product=annex_i,
        annex_i_act=choices["annex_i_act"] if annex_i else None,
        third_party_conformity=flags["third_party_conformity"] and annex_i,
        annex_iii_point=choices["annex_iii_point"],
        derogation_condition=choices["derogation_condition"],
        profiles_natural_persons=flags["profiles_natural_persons"],
        art50_cases=tuple(sorted(cases, key=list(ref.transparency_cases).index)),
        is_gpai_model=gpai,
        gpai_systemic_risk=flags["gpai_systemic_risk"] and gpai,
        deployer_is_public_body_or_public_service=flags["deployer_is_public_body_or_public_service"],
    )


# Deciding ------------------------------------------------------------------------------------------


def act_role(operator_role: str, ref: Reference | None = None) -> str:
    """The Act's role for our inventory's role (a developer placing the system on the market is its provider)."""
    ref = ref or reference()
    return ref.role_aliases.get(operator_role, operator_role)


def _yes_no(value: bool) -> str:
    return "yes" if value else "no"


def _date_note(ref: Reference, key: str) -> tuple[str, str]:
    date = ref.dates[key]
    notes = [date.note] if date.note else []
    if date.pending:
        notes.append(_("Reported to move to %(date)s (Digital Omnibus on AI, pending).") % {"date": date.pending})
    return date.date, " ".join(notes)


class _Builder:
    """Collects obligations (one per article) and reasons while the rules run."""

    def __init__(self, ref: Reference):
        self.ref = ref
        self.obligations: dict[str, Obligation] = {}
        self.reasons: list[Reason] = []

    def reason(self, answer: str, value, text: str) -> None:
        self.reasons.append(Reason(answer, value if isinstance(value, str) else _yes_no(bool(value)), text))

    def add(self, key: str, dates: str, note: str = "", *, summary: str | None = None, label: str | None = None):
        article = self.ref.article(key.split("(")[0] if key not in self.ref.articles else key)
        label = label or (f"Art. {key}" if "-" not in key else f"Arts {key}")
        applies_from, date_note = _date_note(self.ref, dates)
        text = " ".join(part for part in (note, date_note) if part)
        self.obligations.setdefault(
            label, Obligation(label, article.title, summary or article.summary, applies_from, text)
        )

    def sorted_obligations(self) -> list[Obligation]:
        def key(obligation: Obligation):
            numbers = [int(n) for n in re.findall(r"\d+", obligation.article)]
            return numbers or [0]

        return sorted(self.obligations.values(), key=key)


def _high_risk_obligations(b: _Builder, answers: Answers, role: str, *, annex_iii: bool, section_a: bool, dates: str):
    ref = b.ref
    point = ref.annex_iii_points[answers.annex_iii_point] if annex_iii else None
    if not annex_iii and not section_a:
        # Annex I Section B only: the sector's own rules carry the requirements (Art. 2(2)).
        b.add("102-109", "annex_i", ref.annex_i_section_b_note)
        return
    if role == PROVIDER:
        for key in ("8", "9", "10", "11", "12", "13", "14", "15", "16", "17", "18", "19", "20", "21", "47", "48"):
            b.add(key, dates)
        if point is None:
            route = _("Follow the conformity procedure of the product's own Annex I legislation (Art. 43(3)).")
        elif point.point == 1:
            route = _(
                "Biometrics: internal control (Annex VI) or a notified body (Annex VII); a notified body is needed "
                "where harmonised standards are not (fully) applied."
            )
        else:
            route = _("Internal control (Annex VI).")
        b.add("43", dates, route)
        if point is not None:
            if point.point == 2:
                where = _("Critical-infrastructure systems are registered at national level (Art. 49(5)).")
            elif point.point in (6, 7):
                where = _(
                    "Law-enforcement, migration and border uses go into the non-public section of the database "
                    "(Art. 49(4))."
                )
            else:
                where = _(
                    "In the EU database (Art. 71), before placing on the market or putting into service (Art. 49(1))."
                )
            b.add("49", dates, where)
        b.add("72", dates)
        b.add("73", dates)
    elif role == DEPLOYER:
        note = _("If you are a public authority, also register your use in the EU database (Arts 26(8), 49(3)).")
        b.add("26", dates, note if answers.deployer_is_public_body_or_public_service else "")
        b.add("25", dates, _("Putting your name on the system or changing its purpose makes you its provider."))
        if point is not None and point.point != 2:
            needs_fria = answers.deployer_is_public_body_or_public_service or point.id in ("5(b)", "5(c)")
            if needs_fria:
                why = (
                    _("Required for Annex III point %(point)s systems.") % {"point": point.id}
                    if point.id in ("5(b)", "5(c)")
                    else _("Required because you are a public body or provide a public service.")
                )
                b.add("27", dates, _("%(why)s Can complement a GDPR DPIA (Art. 27(4)).") % {"why": why})
            b.add("86", dates, _("Be ready to explain to affected persons the system's role in decisions about them."))
    elif role == IMPORTER:
        b.add("23", dates)
        b.add("25", dates, _("Putting your name on the system or changing it makes you its provider."))
    elif role == DISTRIBUTOR:
        b.add("24", dates)
        b.add("25", dates, _("Putting your name on the system or changing it makes you its provider."))


def classify(answers: Answers, ref: Reference | None = None) -> Result:
    """Decide the tier, basis, obligations and reasons for ``answers`` (see the module docstring)."""
    ref = ref or reference()
    role = act_role(answers.operator_role, ref)
    b = _Builder(ref)
    if role != answers.operator_role:
        b.reason(
            "operator_role",
            answers.operator_role,
            _(
                "A developer that places the system on the market or puts it into service under its own name is its "
                "provider (Art. 3(3))."
            ),
        )
    else:
        b.reason("operator_role", role, _("The organisation is the system's %(role)s.") % {"role": role_name(role)})
    if role in (PROVIDER, DEPLOYER):
        b.add("4", "general", _("Applies to providers and deployers of every AI system."))

    # 1. Prohibited practices win outright.
    if answers.prohibited_practice:
        practice = ref.practices[answers.prohibited_practice]
        b.reason(
            "prohibited_practice",
            practice.key,
            _("%(practice)s: %(summary)s This practice is banned, so no other answer changes the result.")
            % {"practice": practice.ref, "summary": practice.summary},
        )
        b.add(
            "5",
            "prohibited",
            _("%(practice)s. Fines up to EUR 35 million or 7%% of worldwide turnover (Art. 99(3)).")
            % {"practice": practice.ref},
        )
        return Result(EUTier.PROHIBITED, practice.ref, role, b.sorted_obligations(), b.reasons)

    # 2. High-risk routes.
    basis: list[str] = []
    section_a = annex_i = False
    if answers.annex_i_product:
        act = ref.annex_i_acts[answers.annex_i_act]
        if answers.third_party_conformity:
            annex_i, section_a = True, act.section == "A"
            basis.append(f"Art. 6(1) and Annex I Section {act.section} ({act.title})")
            b.reason(
                "annex_i_act",
                act.key,
                _("A safety component of (or itself) a product under %(act)s.") % {"act": act.title},
            )
            b.reason(
                "third_party_conformity",
                True,
                _("The product needs a third-party conformity assessment, so the system is high-risk (Art. 6(1))."),
            )
        else:
            b.reason(
                "third_party_conformity",
                False,
                _(
                    "A product under %(act)s, but it needs no third-party conformity assessment: the Annex I route "
                    "does not apply (Art. 6(1)(b))."
                )
                % {"act": act.title},
            )

    annex_iii = derogated = False
    point = ref.annex_iii_points.get(answers.annex_iii_point or "")
    if point is not None:
        condition = ref.derogation_conditions.get(answers.derogation_condition or "")
        b.reason(
            "annex_iii_point",
            point.id,
            _("Annex III point %(point)s (%(area)s): %(summary)s.")
            % {"point": point.id, "area": point.area, "summary": point.summary},
        )
        if condition is not None and answers.profiles_natural_persons:
            annex_iii = True
            b.reason(
                "profiles_natural_persons",
                True,
                _(
                    "The system profiles natural persons, so the %(condition)s derogation is not available: it stays "
                    "high-risk (Art. 6(3), last subparagraph)."
                )
                % {"condition": condition.ref},
            )
        elif condition is not None:
            derogated = True
            if annex_i:
                text = _(
                    "%(condition)s: %(summary)s; the system does not profile people, so the Annex III route does not "
                    "apply (it is still high-risk through Annex I)."
                )
            else:
                text = _("%(condition)s: %(summary)s; the system does not profile people, so it is not high-risk.")
            b.reason(
                "derogation_condition",
                condition.key,
                text % {"condition": condition.ref, "summary": condition.summary},
            )
        else:
            annex_iii = True
            b.reason(
                "derogation_condition",
                "none",
                _("None of the Art. 6(3) conditions applies, so the use case makes the system high-risk (Art. 6(2))."),
            )
        if annex_iii:
            basis.append(f"Art. 6(2) and Annex III point {point.id}")
    high = annex_i or annex_iii
    if high:
        dates = "annex_iii" if annex_iii else "annex_i"
        _high_risk_obligations(b, answers, role, annex_iii=annex_iii, section_a=section_a, dates=dates)
    derogation_basis = ""
    if derogated and point is not None:
        condition = ref.derogation_conditions[answers.derogation_condition]
        derogation_basis = f"{condition.ref} derogation from Annex III point {point.id}"
        if role == PROVIDER and not high:
            b.add("6(4)", "annex_iii", _("Condition %(condition)s.") % {"condition": condition.ref}, label="Art. 6(4)")
            b.add("49(2)", "annex_iii", label="Art. 49(2)")
        elif not high:
            b.reason(
                "derogation_condition",
                condition.key,
                _(
                    "The provider must document this assessment (Art. 6(4)) and register the system (Art. 49(2)); "
                    "ask it for that documentation."
                ),
            )

    # 3. Transparency (Art. 50) and general-purpose AI models: obligations stack on the above.
    transparency_refs = []
    for key in answers.art50_cases:
        case = ref.transparency_cases[key]
        transparency_refs.append(case.ref)
        if case.who == role:
            note = ""
            if case.ref == "Art. 50(2)":
                note = _(
                    "For systems already on the market before 2026-08-02, reported grace period to 2026-12-02 "
                    "(Digital Omnibus, pending)."
                )
            b.add("50", "transparency", note, summary=case.summary, label=case.ref)
            b.reason(
                "art50_cases",
                key,
                _("%(case)s: %(label)s; the duty falls on you as %(role)s.")
                % {"case": case.ref, "label": case.label.lower(), "role": role_name(role)},
            )
        else:
            b.reason(
                "art50_cases",
                key,
                _("%(case)s: %(label)s; this duty falls on the %(who)s, not on you as %(role)s.")
                % {"case": case.ref, "label": case.label.lower(), "who": role_name(case.who), "role": role_name(role)},
            )
    if any(o.article.startswith("Art. 50(") for o in b.obligations.values()):
        b.add("50(5)", "transparency", label="Art. 50(5)")

    gpai_basis = ""
    if answers.is_gpai_model:
        gpai_basis = (
            "Arts 51 and 55 (general-purpose AI model with systemic risk)"
            if answers.gpai_systemic_risk
            else "Art. 53 (general-purpose AI model)"
        )
        if role == PROVIDER:
            b.add(
                "53",
                "gpai",
                _(
                    "Open-source models are spared the two documentation duties unless they have systemic risk "
                    "(Art. 53(2))."
                ),
            )
            if answers.gpai_systemic_risk:
                b.add("51", "gpai")
                b.add("52", "gpai")
                b.add("55", "gpai")
        b.reason(
            "is_gpai_model",
            True,
            _("A general-purpose AI model: Chapter V applies to its provider.")
            if role == PROVIDER
            else _(
                "A general-purpose AI model: Chapter V applies to its provider. Those duties fall on the model's "
                "provider, not on you as %(role)s."
            )
            % {"role": role_name(role)},
        )
        if answers.gpai_systemic_risk:
            b.reason(
                "gpai_systemic_risk",
                True,
                _("The model has systemic risk (Art. 51): Arts 52 and 55 apply on top of Art. 53."),
            )

    # 4. The tier is the highest that applies.
    if high:
        tier, basis_text = EUTier.HIGH, "; ".join(basis)
    elif answers.is_gpai_model:
        tier, basis_text = EUTier.GPAI, gpai_basis
    elif transparency_refs:
        tier, basis_text = EUTier.LIMITED, ", ".join(transparency_refs)
    else:
        tier, basis_text = EUTier.MINIMAL, "No specific obligations (voluntary codes of conduct, Art. 95)"
    # Why not a higher tier: the "no" answers, right after the role.
    negatives: list[Reason] = []
    if not high:
        negatives.append(Reason("prohibited_practice", "none", _("No Art. 5 practice applies.")))
        if not answers.annex_i_product:
            negatives.append(
                Reason("annex_i_product", "no", _("Not part of a product covered by the Annex I legislation."))
            )
        if point is None:
            negatives.append(Reason("annex_iii_point", "none", _("Not intended for any Annex III use case.")))
    if tier == EUTier.MINIMAL:
        negatives.append(Reason("art50_cases", "none", _("No Art. 50 transparency case.")))
        negatives.append(Reason("is_gpai_model", "no", _("Not a general-purpose AI model, so minimal risk.")))
    b.reasons[1:1] = negatives
    if derogation_basis and not high:
        basis_text = f"{basis_text}; {derogation_basis}" if tier != EUTier.MINIMAL else derogation_basis
    return Result(tier, basis_text[:200], role, b.sorted_obligations(), b.reasons)


def classify_data(data: Mapping, ref: Reference | None = None) -> tuple[Answers, Result]:
    """Parse and classify raw answers in one step."""
    answers = parse_answers(data, ref)
    return answers, classify(answers, ref)
