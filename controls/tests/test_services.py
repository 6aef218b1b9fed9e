"""An organisation's own catalogue: frameworks, requirements, mappings; shipped rows stay read-only."""

import pytest

from aims.services import ServiceError
from controls import services
from controls.models import Framework, Requirement, RequirementMapping


def shipped(identifier, key="iso42001"):
    return Requirement.objects.get(framework__key=key, identifier=identifier, organisation__isnull=True)


def test_framework_create_records_who_and_history(own_framework, officer, org):
    assert own_framework.organisation == org
    assert own_framework.created_by == officer
    assert own_framework.kind == "custom"
    assert own_framework.history.get().history_user == officer


def test_framework_key_of_a_shipped_framework_is_refused(catalogue, org, officer):
    with pytest.raises(ServiceError) as exc:
        services.framework_create(actor=officer, organisation=org, data={"key": "iso42001", "name": "Mine"})
    assert "shipped" in exc.value.message_dict["key"][0]


def test_framework_key_used_twice_in_one_organisation_is_refused(own_framework, org, officer):
    with pytest.raises(ServiceError, match="already has a framework"):
        services.framework_create(actor=officer, organisation=org, data={"key": "acme-policy", "name": "Again"})


def test_another_organisation_may_use_the_same_key(own_framework, other_org, outsider):
    theirs = services.framework_create(actor=outsider, organisation=other_org, data={"key": "acme-policy", "name": "X"})
    assert theirs.key == own_framework.key


def test_shipped_rows_are_refused_by_every_service(catalogue, officer, org):
    framework = catalogue["iso42001"]
    requirement = shipped("A.6.2.4")
    mapping = RequirementMapping.objects.published().first()
    attempts = [
        lambda: services.framework_update(actor=officer, framework=framework, data={"name": "Mine"}),
        lambda: services.framework_delete(actor=officer, framework=framework),
        lambda: services.requirement_create(actor=officer, framework=framework, data={"identifier": "X", "title": "X"}),
        lambda: services.requirement_update(actor=officer, requirement=requirement, data={"title": "Mine"}),
        lambda: services.requirement_delete(actor=officer, requirement=requirement),
        lambda: services.mapping_update(actor=officer, mapping=mapping, data={"note": "Mine"}),
        lambda: services.mapping_delete(actor=officer, mapping=mapping),
        lambda: services.requirements_import(actor=officer, framework=framework, content=b"identifier,title\nX,Y\n"),
    ]
    for attempt in attempts:
        with pytest.raises(ServiceError, match="read-only"):
            attempt()
    requirement.refresh_from_db()
    assert requirement.title == "AI system verification and validation"


def test_requirements_form_a_tree_in_reading_order(own_framework, officer):
    section = services.requirement_create(
        actor=officer, framework=own_framework, data={"identifier": "1", "title": "Data", "assessable": False}
    )
    services.requirement_create(actor=officer, framework=own_framework, data={"identifier": "2", "title": "People"})
    child = services.requirement_create(
        actor=officer, framework=own_framework, data={"identifier": "1.1", "title": "Retention", "parent": section}
    )
    order = list(own_framework.requirements.order_by("sort_order").values_list("identifier", "depth"))
    assert order == [("1", 0), ("1.1", 1), ("2", 0)]
    assert child.organisation == own_framework.organisation


def test_a_requirement_cannot_sit_under_its_own_descendant(own_framework, officer):
    top = services.requirement_create(actor=officer, framework=own_framework, data={"identifier": "1", "title": "A"})
    below = services.requirement_create(
        actor=officer, framework=own_framework, data={"identifier": "1.1", "title": "B", "parent": top}
    )
    with pytest.raises(ServiceError, match="cannot sit under itself"):
        services.requirement_update(actor=officer, requirement=top, data={"parent": below})


def test_a_parent_from_another_framework_is_refused(catalogue, own_framework, officer):
    with pytest.raises(ServiceError):
        services.requirement_create(
            actor=officer, framework=own_framework, data={"identifier": "1", "title": "A", "parent": shipped("A.2")}
        )


def test_duplicate_identifier_in_a_framework_is_refused(own_framework, officer):
    services.requirement_create(actor=officer, framework=own_framework, data={"identifier": "1", "title": "A"})
    with pytest.raises(ServiceError) as exc:
        services.requirement_create(actor=officer, framework=own_framework, data={"identifier": "1", "title": "B"})
    assert "identifier" in exc.value.message_dict


def test_deleting_a_requirement_with_sub_requirements_is_refused(own_framework, officer):
    top = services.requirement_create(actor=officer, framework=own_framework, data={"identifier": "1", "title": "A"})
    services.requirement_create(
        actor=officer, framework=own_framework, data={"identifier": "1.1", "title": "B", "parent": top}
    )
    with pytest.raises(ServiceError, match="sub-requirements"):
        services.requirement_delete(actor=officer, requirement=top)


def test_deleting_a_requirement_takes_the_organisations_mappings_with_it(catalogue, own_framework, officer, org):
    question = services.requirement_create(
        actor=officer, framework=own_framework, data={"identifier": "1", "title": "A"}
    )
    services.mapping_create(actor=officer, organisation=org, data={"source": question, "target": shipped("A.7.4")})
    services.requirement_delete(actor=officer, requirement=question)
    assert not RequirementMapping.objects.own(org).exists()
    assert RequirementMapping.history.filter(history_type="-", history_user=officer).exists()


def test_deleting_an_own_framework_deletes_its_requirements(own_framework, officer):
    top = services.requirement_create(actor=officer, framework=own_framework, data={"identifier": "1", "title": "A"})
    services.requirement_create(
        actor=officer, framework=own_framework, data={"identifier": "1.1", "title": "B", "parent": top}
    )
    pk = own_framework.pk
    services.framework_delete(actor=officer, framework=own_framework)
    assert not Framework.objects.filter(pk=pk).exists()
    assert not Requirement.objects.filter(framework_id=pk).exists()
    assert Framework.history.filter(id=pk, history_type="-").get().history_user == officer
    assert Requirement.history.filter(framework_id=pk, history_type="-").count() == 2


def test_own_mapping_is_labelled_as_the_organisations(catalogue, officer, org):
    mapping = services.mapping_create(
        actor=officer,
        organisation=org,
        data={"source": shipped("A.6.2.8"), "target": shipped("A.8.15", "iso27001"), "relationship": "intersects"},
    )
    assert mapping.organisation == org
    assert mapping.origin_label == "Your mapping"
    assert not mapping.is_shipped


def test_own_mapping_to_itself_or_twice_is_refused(catalogue, officer, org):
    source, target = shipped("A.6.2.8"), shipped("A.8.15", "iso27001")
    with pytest.raises(ServiceError, match="itself"):
        services.mapping_create(actor=officer, organisation=org, data={"source": source, "target": source})
    services.mapping_create(actor=officer, organisation=org, data={"source": source, "target": target})
    with pytest.raises(ServiceError, match="already mapped"):
        services.mapping_create(actor=officer, organisation=org, data={"source": source, "target": target})


def test_own_mapping_to_another_organisations_requirement_is_refused(catalogue, officer, org, other_org, outsider):
    theirs = services.framework_create(actor=outsider, organisation=other_org, data={"key": "globex", "name": "G"})
    their_requirement = services.requirement_create(
        actor=outsider, framework=theirs, data={"identifier": "1", "title": "T"}
    )
    with pytest.raises(ServiceError, match="your own organisation"):
        services.mapping_create(
            actor=officer, organisation=org, data={"source": shipped("A.2.2"), "target": their_requirement}
        )
