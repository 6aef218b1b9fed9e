"""Language, time zone and date format per person and organisation: the middleware's order of preference,
the Preferences page and its API, the organisation's defaults, and how dates are written."""

import datetime as dt

import pytest
from django.template import Context, Template
from django.utils import timezone, translation

from accounts import locale
from accounts.models import Organisation, User
from aims.roles import Role

PREFS_URL = "/api/v1/me/preferences/"


def _user(username) -> User:
    return User.objects.get(username=username)


# --- Which language a page is in ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_german_user_gets_german_pages(client_for, officer):
    officer.language = "de"
    officer.save()
    response = client_for(officer).get("/")
    assert response.status_code == 200
    assert response["Content-Language"] == "de"
    page = response.content.decode()
    assert '<html lang="de">' in page
    assert "Abmelden" in page and "Sign out" not in page
    assert "Einstellungen" in page  # the "Settings" area of the navigation
    assert "Preferences" not in page


def test_the_owner_role_and_a_records_owner_have_different_german_words():
    # One msgid served both: the organisation's owner read "Verantwortlich", as the owner of a risk does.
    with translation.override("de"):
        assert str(Role.OWNER.label) == "Eigentümer"
        assert translation.gettext("Owner") == "Verantwortlich"
    assert str(Role.OWNER.label) == "Owner"


@pytest.mark.django_db
def test_the_members_page_names_the_owner_role_in_german(client_for, members):
    owner = members["owner"]
    owner.language = "de"
    owner.save()
    page = client_for(owner).get("/account/members/").content.decode()
    assert "Eigentümer" in page
    assert "(Eigentümer)" in page  # the organisation switcher's role of the current membership


@pytest.mark.django_db
def test_english_by_default(client_for, officer):
    response = client_for(officer).get("/")
    assert response["Content-Language"] == "en-gb"
    assert "Sign out" in response.content.decode()


@pytest.mark.django_db
def test_the_organisation_default_applies_when_the_user_has_none(client_for, org, officer):
    org.language = "de"
    org.save()
    response = client_for(officer).get("/", HTTP_ACCEPT_LANGUAGE="en-GB,en;q=0.9")
    assert response["Content-Language"] == "de"
    assert "Abmelden" in response.content.decode()
    # The person's own choice wins over the organisation's.
    officer.language = "en-gb"
    officer.save()
    response = client_for(officer).get("/", HTTP_ACCEPT_LANGUAGE="de")
    assert response["Content-Language"] == "en-gb"
    assert "Sign out" in response.content.decode()


@pytest.mark.django_db
def test_accept_language_applies_when_neither_chose(client_for, officer, client):
    response = client_for(officer).get("/", HTTP_ACCEPT_LANGUAGE="de-DE,de;q=0.9,en;q=0.5")
    assert response["Content-Language"] == "de"
    assert "Abmelden" in response.content.decode()
    assert "Accept-Language" in response["Vary"]
    # Signed out too: the sign-in page follows the browser.
    login = client.get("/login/", HTTP_ACCEPT_LANGUAGE="de")
    assert login["Content-Language"] == "de"
    assert client.get("/login/", HTTP_ACCEPT_LANGUAGE="fr, ja")["Content-Language"] == "en-gb"


@pytest.mark.django_db
def test_a_request_does_not_leave_its_language_behind(client_for, officer):
    officer.language = "de"
    officer.save()
    client_for(officer).get("/")
    assert translation.get_language() == "en-gb"
    assert timezone.get_current_timezone_name() == "UTC"


@pytest.mark.django_db
def test_the_api_answers_in_the_token_users_language_and_keeps_utc(api_for, org, officer):
    officer.language = "de"
    officer.time_zone = "Asia/Tokyo"
    officer.save()
    api = api_for(officer, org)
    response = api.get("/api/v1/me/")
    assert response.status_code == 200
    assert response["Content-Language"] == "de"
    # Timestamps are data: UTC whatever the caller's zone.
    tokens = api.get("/api/v1/tokens/").json()
    created = tokens["results"][0]["created_at"] if "results" in tokens else tokens[0]["created_at"]
    assert created.endswith(("Z", "+00:00"))
    # A field error of the API is in German too.
    response = api.patch(PREFS_URL, {"date_format": "roman"}, format="json")
    assert response.status_code == 400
    assert response["Content-Language"] == "de"
    assert "gültige" in str(response.json()["date_format"])


# --- Time zones and dates --------------------------------------------------------------------------------------

MOMENT = dt.datetime(2026, 3, 31, 22, 30, tzinfo=dt.UTC)


def _render(text: str, **context) -> str:
    return Template("{% load aims_tags %}" + text).render(Context(context))


def test_a_users_time_zone_changes_how_a_datetime_is_shown(rf):
    berlin = User(time_zone="Europe/Berlin")
    tokyo = User(time_zone="Asia/Tokyo")
    with locale.override_all_for(user=berlin):
        assert _render("{{ at|aims_datetime }}", at=MOMENT) == "2026-04-01 00:30"
        assert _render("{{ at|aims_date }}", at=MOMENT) == "2026-04-01"
    with locale.override_all_for(user=tokyo):
        assert _render("{{ at|aims_datetime:'seconds tz' }}", at=MOMENT) == "2026-04-01 07:30:00 JST"
    with locale.override_all_for(user=User()):
        assert _render("{{ at|aims_datetime }}", at=MOMENT) == "2026-03-31 22:30"


def test_the_locale_date_format_follows_the_language():
    english = User(date_format="locale", language="en-gb")
    german = User(date_format="locale", language="de", time_zone="Europe/Berlin")
    with locale.override_all_for(user=english):
        assert _render("{{ at|aims_date }}", at=MOMENT) == "31 Mar 2026"
        assert _render("{{ at|aims_datetime }}", at=MOMENT) == "31 Mar 2026, 22:30"
    with locale.override_all_for(user=german):
        assert _render("{{ at|aims_date }}", at=MOMENT.date()) == "31. März 2026"
        assert _render("{{ at|aims_datetime }}", at=MOMENT) == "1. April 2026, 00:30"


def test_empty_values_give_nothing():
    assert _render('{{ at|aims_datetime|default:"never" }}', at=None) == "never"
    assert _render("{{ at|aims_date }}", at="") == ""


@pytest.mark.django_db
def test_pages_show_times_in_the_users_time_zone(client_for, org, officer):
    from accounts import services

    org.time_zone = "UTC"
    org.save()
    token, _key = services.api_token_create(user=officer, organisation=org)
    type(token).objects.filter(pk=token.pk).update(created_at=MOMENT)
    client = client_for(officer)
    assert "2026-03-31 22:30" in client.get("/account/tokens/").content.decode()
    officer.time_zone = "Asia/Tokyo"
    officer.save()
    assert "2026-04-01 07:30" in client.get("/account/tokens/").content.decode()
    # Without a zone of their own: the organisation's.
    officer.time_zone = ""
    officer.save()
    org.time_zone = "America/New_York"
    org.save()
    assert "2026-03-31 18:30" in client.get("/account/tokens/").content.decode()


def test_locale_helpers_fall_back_in_order(settings):
    organisation = Organisation(language="de", time_zone="Europe/Berlin")
    assert locale.language_for(user=User(language="en-gb"), organisation=organisation) == "en-gb"
    assert locale.language_for(user=User(), organisation=organisation) == "de"
    assert locale.language_for(user=User(language="xx")) == settings.LANGUAGE_CODE
    assert locale.timezone_name_for(user=User(time_zone="Asia/Tokyo"), organisation=organisation) == "Asia/Tokyo"
    assert locale.timezone_name_for(user=User(), organisation=organisation) == "Europe/Berlin"
    assert locale.timezone_name_for(user=User(time_zone="Mars/Olympus")) == settings.TIME_ZONE
    assert str(locale.timezone_for(organisation=organisation)) == "Europe/Berlin"
    with locale.override_for(organisation=organisation):
        assert translation.get_language() == "de"


# --- The Preferences page --------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_preferences_page_saves_and_switches_language(client_for, officer):
    client = client_for(officer)
    page = client.get("/account/preferences/")
    assert page.status_code == 200
    assert "Europe/Berlin" in page.content.decode()
    response = client.post(
        "/account/preferences/",
        {"language": "de", "time_zone": "Europe/Berlin", "date_format": "locale"},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == "/account/preferences/"
    assert "Ihre persönlichen Einstellungen wurden gespeichert." in response.content.decode()
    officer.refresh_from_db()
    assert (officer.language, officer.time_zone, officer.date_format) == ("de", "Europe/Berlin", "locale")


@pytest.mark.django_db
def test_preferences_page_shows_field_errors_and_saves_nothing(client_for, officer):
    response = client_for(officer).post(
        "/account/preferences/", {"language": "klingon", "time_zone": "Mars/Olympus", "date_format": "iso"}
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert set(form.errors) == {"language", "time_zone"}
    page = response.content.decode()
    assert "is-invalid" in page
    assert "Sign out" in page  # the refused language was not applied to the page either
    officer.refresh_from_db()
    assert (officer.language, officer.time_zone) == ("", "")


@pytest.mark.django_db
def test_the_language_switch_keeps_the_page(client_for, officer):
    client = client_for(officer)
    response = client.post("/account/language/", {"language": "de", "next": "/account/tokens/"})
    assert response.status_code == 302 and response["Location"] == "/account/tokens/"
    officer.refresh_from_db()
    assert officer.language == "de"
    assert "API-Tokens" in client.get("/account/tokens/").content.decode()
    # Somewhere else entirely: back to the dashboard instead.
    response = client.post("/account/language/", {"language": "en-gb", "next": "https://evil.example/"})
    assert response["Location"] == "/"
    assert client.post("/account/language/", {"language": "xx"}).status_code == 302
    officer.refresh_from_db()
    assert officer.language == "en-gb"


# --- The organisation's defaults (administrators) ---------------------------------------------------------------


@pytest.mark.django_db
def test_admins_set_the_organisations_language_and_time_zone(client_for, org, members):
    admin = client_for(members[Role.ADMIN])
    response = admin.post(
        "/account/security/",
        {"save_locale": "1", "locale-language": "de", "locale-time_zone": "Europe/Vienna"},
    )
    assert response.status_code == 302
    org.refresh_from_db()
    assert (org.language, org.time_zone) == ("de", "Europe/Vienna")
    assert org.history.first().history_change_reason == "Language and time zone changed"

    refused = admin.post("/account/security/", {"save_locale": "1", "locale-language": "de", "locale-time_zone": "X/Y"})
    assert refused.status_code == 200
    assert "time_zone" in refused.context["locale_form"].errors
    org.refresh_from_db()
    assert org.time_zone == "Europe/Vienna"

    officer = client_for(members[Role.OFFICER])
    assert officer.post("/account/security/", {"save_locale": "1", "locale-language": "en-gb"}).status_code == 404


# --- The API -----------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_api_reads_and_changes_own_preferences(api_for, org, officer):
    api = api_for(officer, org)
    response = api.get(PREFS_URL)
    assert response.status_code == 200
    assert response.json() == {
        "language": "",
        "time_zone": "",
        "date_format": "iso",
        "effective_language": "en-gb",
        "effective_time_zone": org.time_zone,
    }
    response = api.patch(PREFS_URL, {"time_zone": "Asia/Tokyo", "date_format": "locale"}, format="json")
    assert response.status_code == 200
    assert response.json()["effective_time_zone"] == "Asia/Tokyo"
    officer.refresh_from_db()
    assert (officer.language, officer.time_zone, officer.date_format) == ("", "Asia/Tokyo", "locale")


@pytest.mark.django_db
def test_api_refuses_bad_preferences_with_field_errors(api_for, org, officer):
    api = api_for(officer, org)
    response = api.patch(PREFS_URL, {"language": "xx", "time_zone": "Mars/Olympus"}, format="json")
    assert response.status_code == 400
    assert set(response.json()) >= {"language", "time_zone"}
    officer.refresh_from_db()
    assert (officer.language, officer.time_zone) == ("", "")
    assert api.patch(PREFS_URL, "not json", content_type="application/json").status_code == 400


@pytest.mark.django_db
def test_a_read_only_token_cannot_change_preferences(api_for, org, officer):
    api = api_for(officer, org, read_only=True)
    assert api.get(PREFS_URL).status_code == 200
    assert api.patch(PREFS_URL, {"language": "de"}, format="json").status_code == 403
    officer.refresh_from_db()
    assert officer.language == ""


def test_the_preferences_endpoint_is_in_the_schema():
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    operations = schema["paths"]["/api/v1/me/preferences/"]
    assert set(operations) >= {"get", "patch"}
    assert "400" in operations["patch"]["responses"]
    properties = schema["components"]["schemas"]["Preferences"]["properties"]
    assert {"language", "time_zone", "date_format"} <= set(properties)


# --- Outside a request: e-mails -----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_invitation_emails_are_in_the_organisations_language(
    org, officer, mailoutbox, django_capture_on_commit_callbacks
):
    from accounts import invitations

    org.language = "de"
    org.save()
    with django_capture_on_commit_callbacks(execute=True):
        invitation, token = invitations.invite_auditor(
            actor=officer,
            organisation=org,
            email="cert@example.org",
            expires_at=timezone.now() + dt.timedelta(days=5),
        )
        invitations.send_invitation(invitation, token, base_url="http://testserver/")
    assert mailoutbox[0].subject == "Auditorzugang zu Acme AI"
    assert "Ihr Zugriff ist schreibgeschützt" in mailoutbox[0].body
    assert translation.get_language() == "en-gb"  # the sender's own request is untouched
