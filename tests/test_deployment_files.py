"""The deployment files agree with the code: docker-compose.yml, Procfiles, Dockerfile and .env.example.

No database: these read files only. Every environment variable that a deployment file sets must be
one that aims/settings.py reads (a typo there silently does nothing), and the modules that commands
name (``aims.wsgi``, the Celery app ``aims``) must exist.
"""

import ast
import re
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
SETTINGS = ROOT / "aims" / "settings.py"
ENV_READERS = {"env_str", "env_bool", "env_int", "env_list", "env_secret", "env_url"}
# Readers that also accept NAME_FILE (a path to a file holding the value).
FILE_READERS = {"env_secret", "env_url"}
APP_SERVICES = {"web", "worker", "beat"}
INTERPOLATION = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)")
ENV_EXAMPLE_LINE = re.compile(r"^#?\s*([A-Z][A-Z0-9_]*)=")


def _call_name(node: ast.Call) -> str:
    func = node.func
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return ""


def settings_env_vars() -> set[str]:
    """Names aims/settings.py reads from the environment, found in its syntax tree."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(SETTINGS.read_text(), filename=str(SETTINGS))):
        if not (isinstance(node, ast.Call) and node.args):
            continue
        first = node.args[0]
        if not (isinstance(first, ast.Constant) and isinstance(first.value, str)):
            continue
        name = _call_name(node)
        if name in ENV_READERS:
            names.add(first.value)
            if name in FILE_READERS:
                names.add(f"{first.value}_FILE")
        elif name == "getenv" or (name in {"get", "setdefault"} and "environ" in ast.unparse(node.func)):
            names.add(first.value)
    for node in ast.walk(ast.parse(SETTINGS.read_text())):
        # os.environ["NAME"]
        if (
            isinstance(node, ast.Subscript)
            and "environ" in ast.unparse(node.value)
            and isinstance(node.slice, ast.Constant)
            and isinstance(node.slice.value, str)
        ):
            names.add(node.slice.value)
    return names


def is_known(name: str, known: set[str]) -> bool:
    return name in known or name.startswith("POSTGRES_")


@pytest.fixture(scope="module")
def known_vars() -> set[str]:
    return settings_env_vars()


@pytest.fixture(scope="module")
def compose_text() -> str:
    return (ROOT / "docker-compose.yml").read_text()


@pytest.fixture(scope="module")
def compose(compose_text) -> dict:
    data = yaml.safe_load(compose_text)
    assert isinstance(data, dict), "docker-compose.yml is not a mapping"
    assert isinstance(data.get("services"), dict), "no services in docker-compose.yml"
    return data


def service_env(service: dict) -> dict[str, str]:
    env = service.get("environment") or {}
    if isinstance(env, list):
        return dict(item.split("=", 1) if "=" in item else (item, "") for item in env)
    return {str(k): "" if v is None else str(v) for k, v in env.items()}


def command_text(service: dict) -> str:
    command = service.get("command") or ""
    return " ".join(command) if isinstance(command, list) else str(command)


def procfile(name: str) -> dict[str, str]:
    processes = {}
    for line in (ROOT / name).read_text().splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            key, sep, command = line.partition(":")
            assert sep, f"{name}: line without 'name: command': {line!r}"
            processes[key.strip()] = command.strip()
    return processes


def assert_modules_exist(command: str, where: str) -> None:
    """The Celery app (``-A X``) and WSGI module (``X.wsgi:application``) named in ``command`` exist."""
    for app in re.findall(r"(?:-A|--app)[ =](\S+)", command):
        package = ROOT.joinpath(*app.split("."))
        assert (package / "__init__.py").is_file(), f"{where}: Celery app package {app!r} does not exist"
        assert (package / "celery.py").is_file(), f"{where}: {app}/celery.py (the Celery app) does not exist"
    for module in re.findall(r"([\w.]+):application\b", command):
        path = ROOT.joinpath(*module.split(".")).with_suffix(".py")
        assert path.is_file(), f"{where}: {module} names {path.relative_to(ROOT)}, which does not exist"


# --- settings parsing itself -----------------------------------------------------------------------------


def test_settings_reader_finds_the_core_variables(known_vars):
    # Guards the parser: if it found nothing, every "is read by settings" check below would be vacuous.
    core = {"DEBUG", "SECRET_KEY", "SECRET_KEY_FILE", "DATABASE_URL", "REDIS_URL", "ALLOWED_HOSTS"}
    assert core <= known_vars
    assert "NOT_A_SETTING" not in known_vars


# --- docker-compose.yml ----------------------------------------------------------------------------------


def test_compose_has_the_services(compose):
    assert {"web", "worker", "beat", "postgres", "redis"} <= set(compose["services"])


@pytest.mark.parametrize("name", ["web", "postgres", "redis"])
def test_compose_healthchecks(compose, name):
    check = compose["services"][name].get("healthcheck") or {}
    assert check.get("test"), f"service {name} has no healthcheck test"
    assert not check.get("disable"), f"service {name} disables its healthcheck"


def test_compose_web_healthcheck_hits_health_endpoint(compose):
    test = compose["services"]["web"]["healthcheck"]["test"]
    text = " ".join(test) if isinstance(test, list) else test
    assert "/health/" in text
    assert "curl" not in text, "python:3.12-slim has no curl"


def test_compose_app_services_wait_for_healthy_backends(compose):
    for name in APP_SERVICES:
        depends = compose["services"][name].get("depends_on")
        assert isinstance(depends, dict), f"{name}: depends_on must use conditions"
        for backend in ("postgres", "redis"):
            condition = (depends.get(backend) or {}).get("condition")
            assert condition == "service_healthy", f"{name} must wait for {backend} to be healthy"


def test_compose_migrations_run_before_web(compose):
    services = compose["services"]
    web_command = command_text(services["web"])
    if "migrate" in web_command:
        return
    one_shots = [name for name, s in services.items() if "manage.py migrate" in command_text(s)]
    assert one_shots, "nothing in docker-compose.yml runs manage.py migrate"
    depends = services["web"].get("depends_on") or {}
    assert any((depends.get(name) or {}).get("condition") == "service_completed_successfully" for name in one_shots), (
        "web must wait for the migrate service to complete successfully"
    )


def test_compose_app_env_is_production(compose):
    for name in APP_SERVICES:
        env = service_env(compose["services"][name])
        required_vars = (
            "DATABASE_URL",
            "REDIS_URL",
            "SECRET_KEY",
            "ALLOWED_HOSTS",
            "MEDIA_ROOT",
            "AIMS_DATA_DIR",
        )
        for required in required_vars:
            assert required in env, f"{name} does not set {required}"
        assert env["DEBUG"] == "0", f"{name} must run with DEBUG=0"
        assert env["DATABASE_URL"].startswith("postgres://")
        assert env["REDIS_URL"].startswith("redis://")


def test_compose_env_vars_are_read_by_settings(compose, known_vars):
    for name, service in compose["services"].items():
        unknown = sorted(var for var in service_env(service) if not is_known(var, known_vars))
        assert not unknown, f"service {name} sets variables aims/settings.py never reads: {unknown}"


def test_compose_interpolated_vars_are_read_by_settings(compose_text, known_vars):
    unknown = sorted({var for var in INTERPOLATION.findall(compose_text) if not is_known(var, known_vars)})
    assert not unknown, f"docker-compose.yml interpolates variables aims/settings.py never reads: {unknown}"


def test_compose_commands_name_existing_modules(compose):
    for name in APP_SERVICES:
        assert command_text(compose["services"][name]), f"service {name} has no command"
        assert_modules_exist(command_text(compose["services"][name]), f"docker-compose.yml service {name}")
    assert "aims.wsgi:application" in command_text(compose["services"]["web"])
    assert "-A aims" in command_text(compose["services"]["worker"])
    assert "-A aims" in command_text(compose["services"]["beat"])


def test_compose_beat_schedule_is_on_a_volume(compose):
    beat = compose["services"]["beat"]
    match = re.search(r"--schedule[ =](\S+)", command_text(beat))
    assert match, "beat needs --schedule on a persistent path"
    mounts = [str(volume).split(":")[1] for volume in beat.get("volumes") or [] if ":" in str(volume)]
    assert any(match.group(1).startswith(mount.rstrip("/") + "/") for mount in mounts), (
        f"beat's schedule {match.group(1)} is not on a mounted volume {mounts}"
    )


# --- Procfiles and Dockerfile ----------------------------------------------------------------------------


def test_procfile_dev_processes():
    processes = procfile("Procfile.dev")
    assert set(processes) == {"web", "worker", "beat"}
    assert "manage.py runserver 127.0.0.1:8000" in processes["web"]
    for name, command in processes.items():
        assert command.startswith(".venv/bin/"), f"Procfile.dev {name} must run through .venv/bin/"
        assert_modules_exist(command, f"Procfile.dev {name}")


def test_procfile_processes():
    processes = procfile("Procfile")
    assert set(processes) == {"web", "worker", "beat"}
    assert processes["web"].startswith("gunicorn aims.wsgi:application")
    for name, command in processes.items():
        assert_modules_exist(command, f"Procfile {name}")


def test_dockerfile_command_names_existing_module():
    text = (ROOT / "Dockerfile").read_text()
    cmd = [line for line in text.splitlines() if line.startswith("CMD")]
    assert len(cmd) == 1, "Dockerfile needs exactly one CMD"
    assert_modules_exist(cmd[0].replace('"', " ").replace(",", " "), "Dockerfile CMD")
    non_root = re.search(r"^USER\s+(?!root\b)\S+", text, re.MULTILINE)
    assert non_root, "Dockerfile must switch to a non-root user"


def test_dockerfile_env_vars_are_read_by_settings(known_vars):
    text = (ROOT / "Dockerfile").read_text()
    # Variables of the ENV instruction (possibly continued over several lines).
    env_block = re.findall(r"^ENV\s+((?:.*\\\n)*.*)$", text, re.MULTILINE)
    names = {name for block in env_block for name in re.findall(r"([A-Z][A-Z0-9_]*)=", block)}
    ours = {name for name in names if not name.startswith(("PYTHON", "PIP_"))}
    assert ours, "found no variables in the Dockerfile's ENV"
    unknown = sorted(name for name in ours if name not in known_vars)
    assert not unknown, f"Dockerfile sets variables aims/settings.py never reads: {unknown}"


# --- .env.example ----------------------------------------------------------------------------------------


def env_example_vars() -> list[str]:
    return [
        match.group(1)
        for line in (ROOT / ".env.example").read_text().splitlines()
        if (match := ENV_EXAMPLE_LINE.match(line))
    ]


def test_env_example_vars_are_read_by_settings(known_vars):
    names = env_example_vars()
    assert names, ".env.example lists no variables"
    assert len(names) == len(set(names)), f".env.example lists a variable twice: {names}"
    unknown = sorted(name for name in names if not is_known(name, known_vars))
    assert not unknown, f".env.example lists variables aims/settings.py never reads: {unknown}"


def test_env_example_documents_every_setting(known_vars):
    listed = set(env_example_vars())
    # NAME_FILE variants are described once in the header rather than listed one by one.
    missing = sorted(name for name in known_vars if not name.endswith("_FILE") and name not in listed)
    assert not missing, f"aims/settings.py reads variables .env.example does not document: {missing}"


def test_env_example_entries_have_a_comment():
    lines = (ROOT / ".env.example").read_text().splitlines()
    for index, line in enumerate(lines):
        if ENV_EXAMPLE_LINE.match(line):
            above = lines[index - 1] if index else ""
            assert above.startswith("#") and not ENV_EXAMPLE_LINE.match(above), (
                f".env.example: {line.split('=')[0].lstrip('# ')} has no comment line above it"
            )
