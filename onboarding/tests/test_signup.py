"""Public sign-up: a new person creates an account and an organisation they own, in one transaction."""

import pytest
from django.urls import reverse

from accounts.models import Membership, Organisation, User
from accounts.tests.factories import UserFactory
from aims.permissions import can
from aims.roles import Role
from onboarding.models import SetupProgress
from registry.models import AISystem
from trust import protection

URL = "/signup/"
PASSWORD = "a-long-and-unusual-passphrase-42"


@pytest.fixture
def signup_open(settings, db):
    settings.AIMS_SIGNUP_OPEN = True
    settings.AIMS_SIGNUP_MIN_FILL_SECONDS = 0
    settings.AIMS_SIGNUP_RATE_PER_IP = 5


def _data(client, **overrides):
    page = client.get(URL)
    assert page.status_code == 200
    data = {
        "full_name": "Nora Field",
        "email": "nora@example.org",
        "username": "nora",
        "password1": PASSWORD,
        "password2": PASSWORD,
        "organisation_name": "Field Robotics",
        "website": "",
        "form_token": page.context["form"].initial["form_token"],
    }
    data.update(overrides)
    return data


def test_a_new_person_signs_up_an_organisation_owns_it_and_lands_in_the_setup(client, signup_open):
    response = client.post(URL, _data(client))

    assert response.status_code == 302 and response["Location"] == reverse("onboarding:setup")
    user = User.objects.get(username="nora")
    organisation = Organisation.objects.get(slug="field-robotics")
    assert (user.first_name, user.last_name, user.email) == ("Nora", "Field", "nora@example.org")
    assert user.check_password(PASSWORD)
    assert Membership.objects.get(user=user, organisation=organisation).role == Role.OWNER
    assert SetupProgress.objects.filter(organisation=organisation).exists()
    # Signed in, with the new organisation current, and allowed to write the registers the setup fills.
    setup = client.get(reverse("onboarding:setup"))
    assert setup.status_code == 200 and setup.context["current_organisation"] == organisation
    assert can(user, "add", AISystem, organisation)


def test_signup_is_closed_unless_the_setting_opens_it(client, settings, db):
    settings.AIMS_SIGNUP_OPEN = False
    assert client.get(URL).status_code == 404
    assert client.post(URL, {"username": "x"}).status_code == 404
    assert "Sign up a new organisation" not in client.get(reverse("login")).content.decode()
    settings.AIMS_SIGNUP_OPEN = True
    assert URL in client.get(reverse("login")).content.decode()


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"password2": "something-else-entirely-99"}, "password2"),
        ({"password1": "short", "password2": "short"}, "password1"),
        ({"password1": "12345678901234", "password2": "12345678901234"}, "password1"),
        ({"email": "not-an-email"}, "email"),
        ({"username": "has spaces!"}, "username"),
        ({"organisation_name": "  "}, "organisation_name"),
        ({"full_name": ""}, "full_name"),
    ],
)
def test_bad_input_shows_field_errors_and_creates_nothing(client, signup_open, overrides, field):
    response = client.post(URL, _data(client, **overrides))
    assert response.status_code == 400
    assert response.context["form"].errors.get(field), response.context["form"].errors
    assert not User.objects.filter(username="nora").exists()
    assert not Organisation.objects.filter(slug="field-robotics").exists()


def test_a_taken_username_or_email_is_refused(client, signup_open):
    UserFactory(username="Nora", email="someone@example.org")
    response = client.post(URL, _data(client))
    assert response.status_code == 400 and response.context["form"].errors["username"]

    response = client.post(URL, _data(client, username="nora2", email="SOMEONE@example.org"))
    assert response.status_code == 400 and response.context["form"].errors["email"]
    assert User.objects.count() == 1
    assert not Organisation.objects.filter(slug="field-robotics").exists()


def test_a_taken_organisation_address_is_numbered(client, signup_open, org):
    assert org.slug == "acme"
    response = client.post(URL, _data(client, organisation_name="ACME"))
    assert response.status_code == 302
    created = Membership.objects.get(user__username="nora").organisation
    assert created.slug == "acme-2" and created.name == "ACME"


def test_honeypot_forged_token_and_too_fast_create_nothing(client, signup_open, settings):
    assert client.post(URL, _data(client, website="http://spam.example")).status_code == 400
    assert client.post(URL, _data(client, form_token="forged")).status_code == 400
    concern_token = protection.form_token(Organisation.objects.create(name="Other", slug="other"))
    assert client.post(URL, _data(client, form_token=concern_token)).status_code == 400
    settings.AIMS_SIGNUP_MIN_FILL_SECONDS = 3600
    assert client.post(URL, _data(client)).status_code == 400
    assert not User.objects.exists()


def test_flooding_from_one_address_is_throttled(client, signup_open, settings):
    settings.AIMS_SIGNUP_RATE_PER_IP = 2
    for n in range(2):
        assert client.post(URL, _data(client, username=f"u{n}", password2="x")).status_code == 400
    response = client.post(URL, _data(client))
    assert response.status_code == 429
    assert not User.objects.filter(username="nora").exists()


def test_a_signed_in_user_is_sent_to_the_organisation_form(client_for, signup_open, officer):
    response = client_for(officer).get(URL)
    assert response.status_code == 302 and response["Location"] == reverse("onboarding:organisation-new")
