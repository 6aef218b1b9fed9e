"""CSV import of an own framework's requirements: all or nothing, problems listed by line."""

from controls import services
from controls.imports import parse_requirements_csv
from controls.models import Requirement


def run(framework, officer, text: str, encoding="utf-8"):
    return services.requirements_import(actor=officer, framework=framework, content=text.encode(encoding))


def test_import_creates_a_tree_with_parents_defined_later_in_the_file(own_framework, officer):
    result = run(
        own_framework,
        officer,
        "identifier,title,parent identifier,guidance\n"
        "1.1,Retention,1,Keep data no longer than needed.\n"
        "1,Data handling,,\n"
        "2,People,,\n",
    )
    assert result.ok and (result.created, result.updated) == (3, 0)
    order = list(own_framework.requirements.order_by("sort_order").values_list("identifier", "parent__identifier"))
    assert order == [("1", None), ("1.1", "1"), ("2", None)]
    retention = own_framework.requirements.get(identifier="1.1")
    assert retention.guidance == "Keep data no longer than needed."
    assert retention.history.get().history_change_reason == "Imported from CSV"


def test_import_again_updates_changed_rows_only(own_framework, officer):
    run(own_framework, officer, "identifier,title\nQ1,First\nQ2,Second\n")
    result = run(own_framework, officer, "identifier;title\nQ1;First\nQ2;Second, renamed\nQ3;Third\n")
    assert (result.created, result.updated, result.unchanged) == (1, 1, 1)
    assert own_framework.requirements.get(identifier="Q2").title == "Second, renamed"


def test_bad_rows_are_reported_with_their_line_numbers_and_nothing_is_saved(own_framework, officer):
    result = run(
        own_framework,
        officer,
        "identifier,title,parent identifier,guidance\n"
        "1,Good row,,\n"
        ",No identifier,,\n"
        "3,,,\n"
        "1,Duplicate,,\n"
        '"5","A title\nover two lines",9,\n'
        "6,Own parent,6,\n"
        "7,Fine,1,\n",
    )
    assert not result.ok
    assert result.errors == [
        (3, "The identifier is empty."),
        (4, "The title is empty."),
        (5, "The identifier “1” is already on line 2."),
        (6, "The parent identifier “9” is neither in the file nor in the framework."),
        (8, "A requirement cannot be its own parent."),
    ]
    assert not Requirement.objects.filter(framework=own_framework).exists()


def test_a_loop_through_the_parents_is_reported(own_framework, officer):
    result = run(own_framework, officer, "identifier,title,parent\nA,a,B\nB,b,A\n")
    assert [line for line, _ in result.errors] == [2, 3]
    assert "loop" in result.errors[0][1]


def test_unknown_or_missing_columns_are_reported_on_line_1(own_framework, officer):
    result = run(own_framework, officer, "id,heading\nQ1,x\n")
    assert [line for line, _ in result.errors] == [1, 1]
    messages = " ".join(message for _, message in result.errors)
    assert "Unknown column(s): heading" in messages
    assert "Missing column(s): title" in messages


def test_a_file_that_is_not_utf8_is_refused_with_a_clear_message(own_framework, officer):
    result = run(own_framework, officer, "identifier,title\nQ1,Zürich\n", encoding="latin-1")
    assert result.errors == [(0, "The file is not UTF-8 text: save it as “CSV UTF-8” and upload it again.")]


def test_parser_takes_off_the_quote_our_exports_put_before_formulas():
    parsed = parse_requirements_csv(b"identifier,title\nQ1,'=SUM(A1)\n")
    assert parsed.rows[0].title == "=SUM(A1)"


def test_kind_and_assessable_columns_are_optional_and_checked(own_framework, officer):
    result = run(
        own_framework, officer, "identifier,title,kind,assessable\nS1,Section,group,no\nQ1,Q,spaceship,maybe\n"
    )
    assert result.errors == [(3, "The kind “spaceship” is not one of " + result.errors[0][1].split("one of ")[1])]
    assert "assessable must be yes or no" in result.errors[0][1]
