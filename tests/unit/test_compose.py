"""docker-compose.yml and the Dockerfile agree with each other and with the code they run."""

from __future__ import annotations

import importlib
import re
import shlex
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import urlparse

import pytest
import yaml
from flask import Flask

from service.cli import build_parser, cmd_seed, cmd_worker

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = ROOT / "docker-compose.yml"
DOCKERFILE = ROOT / "Dockerfile"
CODE_DIRS = ("service", "workers", "catalog", "tagging")

ENV_READ = re.compile(r"""os\.(?:environ\.get\(|environ\[|getenv\()\s*["']([A-Za-z_][A-Za-z0-9_]*)["']""")
APP_PATH = re.compile(r"^[A-Za-z_][\w.]*:[A-Za-z_]\w*$")
REDIS_DEFAULT_PORT = 6379


# --- helpers ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    assert COMPOSE.exists(), f"{COMPOSE} is missing"
    data = yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))
    assert isinstance(data, dict), "docker-compose.yml must be a mapping at the top level"
    return data


@pytest.fixture(scope="module")
def services(compose: dict[str, Any]) -> dict[str, dict[str, Any]]:
    found = compose.get("services")
    assert isinstance(found, dict), "docker-compose.yml has no `services:` mapping"
    return found


@pytest.fixture(scope="module")
def dockerfile() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs, continuation lines joined and comments dropped."""
    assert DOCKERFILE.exists(), f"{DOCKERFILE} is missing"
    instructions: list[tuple[str, str]] = []
    pending = ""
    for raw in DOCKERFILE.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        keyword, _, rest = (pending + line).partition(" ")
        instructions.append((keyword.upper(), rest.strip()))
        pending = ""
    return instructions


def command_words(service: dict[str, Any], name: str) -> list[str]:
    command = service.get("command")
    assert command, f"service {name!r} has no `command:`"
    words = shlex.split(command) if isinstance(command, str) else [str(word) for word in command]
    assert words, f"service {name!r} has an empty command"
    return words


def option_value(words: list[str], *names: str) -> str | None:
    """The value of a command-line option given as `--name value` or `--name=value`."""
    for index, word in enumerate(words):
        for name in names:
            if word == name and index + 1 < len(words):
                return words[index + 1]
            if word.startswith(name + "="):
                return word.split("=", 1)[1]
    return None


def gunicorn_app_and_port(words: list[str], where: str) -> tuple[str, int]:
    assert PurePosixPath(words[0]).name == "gunicorn", f"{where} does not run gunicorn: {words}"
    apps = [word for word in words[1:] if APP_PATH.match(word)]
    assert len(apps) == 1, f"{where} should name exactly one `module:attr` app, found {apps}"
    bind = option_value(words, "--bind", "-b")
    assert bind, f"{where} has no --bind"
    host, _, port = bind.rpartition(":")
    assert host == "0.0.0.0", f"{where} binds {bind!r}: inside a container it must listen on 0.0.0.0"
    return apps[0], int(port)


def environment(service: dict[str, Any]) -> dict[str, str]:
    env = service.get("environment") or {}
    if isinstance(env, list):
        pairs = (str(item).partition("=") for item in env)
        return {key: value for key, _, value in pairs}
    return {str(key): "" if value is None else str(value) for key, value in env.items()}


def app_services(services: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """The services built from this project (the ones running our code)."""
    return {name: svc for name, svc in services.items() if "build" in svc}


def env_vars_read_by_code() -> set[str]:
    names: set[str] = set()
    for folder in CODE_DIRS:
        for path in (ROOT / folder).rglob("*.py"):
            names.update(ENV_READ.findall(path.read_text(encoding="utf-8")))
    return names


def dockerfile_env(instructions: list[tuple[str, str]]) -> dict[str, str]:
    env: dict[str, str] = {}
    for keyword, rest in instructions:
        if keyword != "ENV":
            continue
        words = shlex.split(rest)
        if all("=" in word for word in words):
            for word in words:
                key, _, value = word.partition("=")
                env[key] = value
        else:  # legacy form: ENV KEY value
            env[words[0]] = " ".join(words[1:])
    return env


def dockerfile_cmd(instructions: list[tuple[str, str]]) -> list[str]:
    commands = [rest for keyword, rest in instructions if keyword == "CMD"]
    assert commands, "the Dockerfile has no CMD"
    return yaml.safe_load(commands[-1]) if commands[-1].startswith("[") else shlex.split(commands[-1])


# --- services ----------------------------------------------------------------------------------------------


def test_no_obsolete_version_key(compose: dict[str, Any]) -> None:
    assert "version" not in compose, "the Compose spec has no `version:` key; docker compose warns about it"


@pytest.mark.parametrize("name", ["redis", "api", "worker", "seed"])
def test_service_exists(services: dict[str, dict[str, Any]], name: str) -> None:
    assert name in services, f"docker-compose.yml has no {name!r} service (found {sorted(services)})"


def test_app_services_wait_for_healthy_redis(services: dict[str, dict[str, Any]]) -> None:
    for name, service in app_services(services).items():
        depends = service.get("depends_on")
        assert isinstance(depends, dict), f"{name}: depends_on must be a mapping with conditions"
        condition = (depends.get("redis") or {}).get("condition")
        assert condition == "service_healthy", f"{name}: must wait for redis to be healthy, has {condition!r}"


# --- redis -------------------------------------------------------------------------------------------------


def test_redis_image_is_7x(services: dict[str, dict[str, Any]]) -> None:
    image = services["redis"].get("image", "")
    assert re.fullmatch(r"(docker\.io/)?(library/)?redis:7(\.\d+)*(-\w+)?", image), (
        f"redis image {image!r} is not 7.x"
    )


def test_redis_appendonly_on(services: dict[str, dict[str, Any]]) -> None:
    words = command_words(services["redis"], "redis")
    assert words[0] == "redis-server", f"redis command should start redis-server, got {words}"
    assert option_value(words, "--appendonly") == "yes", (
        f"redis must run with --appendonly yes (AOF), got {words}"
    )


def test_redis_data_on_named_volume(compose: dict[str, Any], services: dict[str, dict[str, Any]]) -> None:
    declared = compose.get("volumes") or {}
    mounts: dict[str, str] = {}
    for volume in services["redis"].get("volumes") or []:
        if isinstance(volume, str):
            source, _, target = volume.partition(":")
            mounts[target.split(":")[0]] = source
        elif volume.get("type") == "volume":
            mounts[volume["target"]] = volume.get("source", "")
    assert "/data" in mounts, f"redis mounts nothing at /data (its AOF directory): {mounts}"
    assert mounts["/data"] in declared, (
        f"redis /data comes from {mounts['/data']!r}, not a named volume declared under top-level volumes "
        f"({sorted(declared)})"
    )


# --- api ---------------------------------------------------------------------------------------------------


def test_api_runs_gunicorn_on_a_real_flask_app(services: dict[str, dict[str, Any]]) -> None:
    app_path, _ = gunicorn_app_and_port(command_words(services["api"], "api"), "api command")
    module_name, _, attr = app_path.partition(":")
    module = importlib.import_module(module_name)
    assert hasattr(module, attr), f"{module_name} has no attribute {attr!r} (api command names {app_path})"
    assert isinstance(getattr(module, attr), Flask), f"{app_path} is not a Flask app"


def test_api_binds_the_published_port(services: dict[str, dict[str, Any]]) -> None:
    _, port = gunicorn_app_and_port(command_words(services["api"], "api"), "api command")
    targets: set[int] = set()
    for entry in services["api"].get("ports") or []:
        if isinstance(entry, dict):
            targets.add(int(entry["target"]))
        else:
            targets.add(int(str(entry).split("/")[0].rsplit(":", 1)[-1]))
    assert port in targets, f"api listens on {port} but publishes container port(s) {sorted(targets)}"


# --- worker and seed ---------------------------------------------------------------------------------------


def test_worker_runs_neurotag_worker(services: dict[str, dict[str, Any]]) -> None:
    words = command_words(services["worker"], "worker")
    assert words[0] == "neurotag", f"worker should run the `neurotag` console script, got {words}"
    args = build_parser().parse_args(words[1:])
    assert args.func is cmd_worker, f"`{' '.join(words)}` does not run cmd_worker"


def test_worker_is_scalable(services: dict[str, dict[str, Any]]) -> None:
    worker = services["worker"]
    assert "container_name" not in worker, "worker has a container_name: `--scale worker=N` would fail"
    assert not worker.get("ports"), (
        "worker publishes ports: `--scale worker=N` would collide on the host port"
    )


def test_seed_runs_neurotag_seed_once(services: dict[str, dict[str, Any]]) -> None:
    seed = services["seed"]
    words = command_words(seed, "seed")
    assert words[0] == "neurotag", f"seed should run the `neurotag` console script, got {words}"
    assert build_parser().parse_args(words[1:]).func is cmd_seed, f"`{' '.join(words)}` does not run cmd_seed"
    assert seed.get("restart") == "no", (
        f"seed is a one-shot job: restart must be the string 'no', got {seed.get('restart')!r}"
    )


def test_services_without_http_disable_the_image_healthcheck(services: dict[str, dict[str, Any]]) -> None:
    for name in ("worker", "seed"):
        healthcheck = services[name].get("healthcheck") or {}
        assert healthcheck.get("disable") is True, (
            f"{name} serves no HTTP: it must set `healthcheck: {{disable: true}}`, "
            "or the image's /healthz probe marks it unhealthy"
        )


# --- environment -------------------------------------------------------------------------------------------


def test_app_services_share_one_environment(services: dict[str, dict[str, Any]]) -> None:
    envs = {name: environment(svc) for name, svc in app_services(services).items()}
    assert {"api", "worker", "seed"} <= set(envs), (
        f"api, worker and seed must all be built here: {sorted(envs)}"
    )
    assert envs["api"] == envs["worker"] == envs["seed"], f"app services' environments drifted apart: {envs}"


def test_compose_sets_only_variables_the_code_reads(services: dict[str, dict[str, Any]]) -> None:
    known = env_vars_read_by_code()
    assert "REDIS_URL" in known, (
        f"scanning {CODE_DIRS} for os.environ reads found no REDIS_URL: {sorted(known)}"
    )
    for name, service in app_services(services).items():
        unknown = set(environment(service)) - known
        assert not unknown, (
            f"{name} sets {sorted(unknown)}, which no code reads (the code reads {sorted(known)})"
        )


def test_redis_url_points_at_the_redis_service(services: dict[str, dict[str, Any]]) -> None:
    port = int(option_value(command_words(services["redis"], "redis"), "--port") or REDIS_DEFAULT_PORT)
    for name, service in app_services(services).items():
        url = environment(service).get("REDIS_URL")
        assert url, f"{name} does not set REDIS_URL (the code would fall back to 127.0.0.1)"
        parsed = urlparse(url)
        assert parsed.scheme == "redis", f"{name}: REDIS_URL {url!r} is not a redis:// URL"
        assert parsed.hostname == "redis", f"{name}: REDIS_URL {url!r} does not point at the `redis` service"
        assert (parsed.port or REDIS_DEFAULT_PORT) == port, (
            f"{name}: REDIS_URL {url!r} is not redis's port {port}"
        )


# --- Dockerfile --------------------------------------------------------------------------------------------


def test_dockerfile_cmd_matches_the_api(
    services: dict[str, dict[str, Any]], dockerfile: list[tuple[str, str]]
) -> None:
    image_app, image_port = gunicorn_app_and_port(dockerfile_cmd(dockerfile), "Dockerfile CMD")
    api_app, api_port = gunicorn_app_and_port(command_words(services["api"], "api"), "api command")
    assert image_app == api_app, f"Dockerfile CMD serves {image_app}, compose api serves {api_app}"
    assert image_port == api_port, f"Dockerfile CMD binds {image_port}, compose api binds {api_port}"


def test_dockerfile_exposes_the_api_port(
    services: dict[str, dict[str, Any]], dockerfile: list[tuple[str, str]]
) -> None:
    exposed = {int(port.split("/")[0]) for kw, rest in dockerfile if kw == "EXPOSE" for port in rest.split()}
    _, api_port = gunicorn_app_and_port(command_words(services["api"], "api"), "api command")
    assert api_port in exposed, f"Dockerfile EXPOSEs {sorted(exposed)}, compose api listens on {api_port}"


def test_dockerfile_seeds_dir_is_where_seeds_are_copied(dockerfile: list[tuple[str, str]]) -> None:
    workdir = PurePosixPath("/")
    destinations: list[PurePosixPath] = []
    for keyword, rest in dockerfile:
        if keyword == "WORKDIR":
            workdir = workdir / rest
        elif keyword in ("COPY", "ADD"):
            words = [word for word in shlex.split(rest) if not word.startswith("--")]
            sources, destination = words[:-1], words[-1]
            if any(PurePosixPath(source) == PurePosixPath("seeds") for source in sources):
                destinations.append(workdir / destination)
    assert destinations, "the Dockerfile never copies seeds/ into the image"
    configured = dockerfile_env(dockerfile).get("NEUROTAG_SEEDS_DIR")
    assert configured, (
        "the Dockerfile does not set NEUROTAG_SEEDS_DIR (seeds/ is not installed with the package)"
    )
    assert PurePosixPath(configured) in destinations, (
        f"NEUROTAG_SEEDS_DIR={configured} but seeds/ is copied to {[str(d) for d in destinations]}"
    )


def test_dockerfile_sets_only_variables_the_code_reads(dockerfile: list[tuple[str, str]]) -> None:
    ours = {name for name in dockerfile_env(dockerfile) if name.startswith(("NEUROTAG_", "REDIS_"))}
    unknown = ours - env_vars_read_by_code()
    assert not unknown, f"the Dockerfile sets {sorted(unknown)}, which no code reads"


def test_dockerfile_runs_as_non_root(dockerfile: list[tuple[str, str]]) -> None:
    users = [rest.split(":")[0] for keyword, rest in dockerfile if keyword == "USER"]
    assert users, "the Dockerfile has no USER: the containers would run as root"
    assert users[-1] not in ("root", "0"), f"the Dockerfile's last USER is {users[-1]!r}"
