"""What ``main.py`` runs once its arguments are parsed: load, synthesize (or diff), report.

Exit status of ``synth`` and ``envs``: 0 on success; 1 when the values, the env file or the secrets
are not usable (one line per problem, no traceback; nothing is written); 2 when an output
directory holds something a synth did not write (refused before any work). ``diff``: 0 when the
output would not change, 1 when it would, 2 when it cannot tell (bad usage, invalid values, an
unreadable directory), as ``diff`` and ``kubectl diff``.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from .loader import ValuesError, load_values
from .outdir import JOURNAL, UnsafeOutdirError, check_outputs_parent, check_repository_root, recover_tree, replace_outdir
from .outdir import check_output as outdir_check_output
from .secrets import EnvFileError, read_env_files
from .settings import Setting
from .synth import Rendered, SynthError, render, write, write_tree

if TYPE_CHECKING:
    from .environments import Environment, EnvironmentsFile
    from .gitops import ControllerOutput, GitOpsEnvironment
    from .release import Release

__all__ = [
    "PROJECT_ROOT",
    "check_output",
    "diagram",
    "diff",
    "diff_environments",
    "environments",
    "helm_chart",
    "list_presets",
    "run",
]

PROJECT_ROOT = Path(__file__).resolve().parent.parent
"""Never an output directory, nor any of its ancestors."""


def _paths(values: Path | Sequence[Path]) -> list[Path]:
    return [values] if isinstance(values, Path) else list(values)


def _render(
    values: Sequence[Path],
    settings: Sequence[Setting],
    env_file: Path | Sequence[Path] | None,
    environ: Mapping[str, str] | None,
    *,
    require_secrets: bool = False,
) -> Rendered:
    """Load, render and check in memory; raise ValuesError, EnvFileError or SynthError."""
    app_values = load_values(values, settings)
    env_values = read_env_files(_paths(env_file)) if env_file else None  # several: layered, the last wins
    return render(
        app_values, environ=os.environ if environ is None else environ, env_file=env_values, require_secrets=require_secrets
    )


def run(
    *,
    values: Path | Sequence[Path],
    outdir: Path,
    settings: Sequence[Setting] = (),
    env_file: Path | Sequence[Path] | None = None,
    require_secrets: bool = False,
    quiet: bool = False,
    environ: Mapping[str, str] | None = None,
    stderr: TextIO | None = None,
) -> int:
    """Synthesize the layers ``values`` (then ``settings``) into ``outdir``; print problems, and
    unless ``quiet`` the summary, to ``stderr``."""
    stderr = stderr if stderr is not None else sys.stderr
    from .helm_scaffold import cli_scaffold

    scaffold = cli_scaffold(outdir)
    if scaffold is not None:  # `npx cdk8s synth --format helm`: the CLI's scaffold, around CDK8S_OUTDIR
        return helm_chart(
            values=values,
            settings=settings,
            outdir=scaffold.chart_root,
            version=scaffold.version,
            api_version=scaffold.api_version,
            quiet=quiet,
            stderr=stderr,
            scaffold=True,
        )
    if check_output(outdir, stderr=stderr):
        return 2
    try:
        rendered = _render(_paths(values), settings, env_file, environ, require_secrets=require_secrets)
        result = write(rendered, outdir)
    except (ValuesError, SynthError) as error:
        _fail(error.lines, stderr)
        return 1
    except EnvFileError as error:
        _fail(str(error).splitlines(), stderr)
        return 1
    except OSError as error:
        _fail([f"cannot write {outdir}: {error.strerror or error}"], stderr)
        return 1
    if not quiet:
        print(result.summary(), file=stderr)
    return 0


def helm_chart(
    *,
    values: Path | Sequence[Path],
    outdir: Path,
    version: str,
    api_version: str = "v2",
    settings: Sequence[Setting] = (),
    quiet: bool = False,
    stderr: TextIO | None = None,
    scaffold: bool = False,
) -> int:
    """Render the layers ``values`` (then ``settings``) as a Helm chart of version ``version`` into
    ``outdir`` (:mod:`.helm`): rendered without any Secret value, whatever the environment holds.
    ``scaffold``: ``outdir`` holds the cdk8s CLI's helm scaffold (:func:`.helm_scaffold.cli_scaffold`), which
    the chart replaces."""
    from .helm import chart_of

    stderr = stderr if stderr is not None else sys.stderr
    if not scaffold and check_output(outdir, stderr=stderr):
        return 2
    try:
        chart = chart_of(_render(_paths(values), settings, None, {}), version=version, api_version=api_version)
        replace_outdir(outdir, chart.files)
    except (ValuesError, SynthError) as error:
        _fail(error.lines, stderr)
        return 1
    except OSError as error:
        _fail([f"cannot write {outdir}: {error.strerror or error}"], stderr)
        return 1
    if not quiet:
        print(chart.summary(outdir), file=stderr)
    return 0


def environments(
    *,
    file: Path,
    outdir: Path,
    names: Sequence[str] = (),
    settings: Sequence[Setting] = (),
    env_file: Path | Sequence[Path] | None = None,
    require_secrets: bool = False,
    quiet: bool = False,
    environ: Mapping[str, str] | None = None,
    stderr: TextIO | None = None,
) -> int:
    """Render the environments of ``file`` (or those named) into ``outdir/<name>/``, in one
    process. Every environment is checked and rendered before any is written: a problem anywhere
    writes nothing."""
    stderr = stderr if stderr is not None else sys.stderr
    loaded = _environments_file(file, names, stderr, invalid=1)
    if isinstance(loaded, int):
        return loaded
    table = loaded.environments
    chosen = [table[name] for name in (names or list(table))]
    by_environment = _settings_of(loaded, chosen, settings, stderr)
    if isinstance(by_environment, int):
        return by_environment
    try:
        if os.path.lexists(outdir / JOURNAL):  # never rolled back in the project, home or /: refused there
            check_repository_root(outdir, [], project_root=PROJECT_ROOT)
        done = recover_tree(outdir)  # a run killed while it swapped the tree in: the previous tree, back
        if done is not None:
            print(f"{outdir}: an interrupted envs run was {done}", file=stderr)
    except UnsafeOutdirError as error:
        _fail([str(error)], stderr)
        return 2
    except OSError as error:
        _fail([f"cannot use {outdir}: {error.strerror or error}"], stderr)
        return 2
    if loaded.gitops is not None:
        flags = [flag for flag, given in (("--env-file", env_file), ("--require-secrets", require_secrets)) if given]
        if flags:
            _fail(
                [
                    f"{flag}: {loaded.where('gitops')}: a gitops: environments file never writes a Secret's values (each "
                    "Secret is external or an externalSecret)"
                    for flag in flags
                ],
                stderr,
            )
            return 2
        return _gitops_environments(loaded, chosen, outdir=outdir, settings=by_environment, quiet=quiet, stderr=stderr)
    if any(check_output(outdir / env.name, stderr=stderr) for env in chosen):
        return 2
    try:
        check_outputs_parent(outdir, project_root=PROJECT_ROOT)
    except UnsafeOutdirError as error:
        _fail([str(error)], stderr)
        return 2
    rendered: dict[str, Rendered] = {}
    problems: list[str] = []
    for env in chosen:
        try:
            rendered[env.name] = _render(env.values, by_environment[env.name], env_file, environ, require_secrets=require_secrets)
        except (ValuesError, SynthError) as error:
            problems += [f"{env.name}: {line}" for line in error.lines]
        except EnvFileError as error:
            _fail(str(error).splitlines(), stderr)
            return 1
    if problems:
        _fail(problems, stderr)
        return 1
    try:
        results = write_tree(outdir, rendered)
    except OSError as error:
        _fail([_unwritten(outdir, error)], stderr)
        return 1
    if not quiet:
        for name, result in results.items():
            print(f"== {name}\n{result.summary()}", file=stderr)
    return 0


def _unwritten(outdir: Path, error: OSError) -> str:
    return f"cannot write {outdir}: {error.strerror or error}; nothing was changed (every directory is as it was)"


def _settings_of(
    loaded: EnvironmentsFile, chosen: Sequence[Environment], settings: Sequence[Setting], stderr: TextIO, *, invalid: int = 1
) -> dict[str, list[Setting]] | int:
    """The settings of each environment of ``chosen`` (:func:`.environments.settings_by_environment`),
    or the exit status after saying why not: 2 for a flag naming an environment the file lacks,
    ``invalid`` for a flag that applies to none of them."""
    from .environments import scope_settings, settings_by_environment

    scoped, problems = scope_settings(settings, loaded)
    if problems:
        _fail(problems, stderr)
        return 2
    try:
        return settings_by_environment(chosen, scoped)
    except ValuesError as error:
        _fail(error.lines, stderr)
        return invalid


def _environments_file(file: Path, names: Sequence[str], stderr: TextIO, *, invalid: int) -> EnvironmentsFile | int:
    """The environments file ``file``, or the exit status after saying why it cannot be used:
    ``invalid`` for a file with problems, 2 for an ``--env`` that is not one of its environments."""
    from .environments import load_environments_file

    try:
        loaded = load_environments_file(file, names)
    except ValuesError as error:
        _fail(error.lines, stderr)
        return invalid
    unknown = [name for name in names if name not in loaded.environments]
    if unknown:
        known = ", ".join(loaded.environments)
        _fail([f"--env {name}: not an environment of {file} (one of {known})" for name in unknown], stderr)
        return 2
    return loaded


def _gitops_environments(
    loaded: EnvironmentsFile,
    chosen: Sequence[Environment],
    *,
    outdir: Path,
    settings: Mapping[str, Sequence[Setting]],
    quiet: bool,
    stderr: TextIO,
) -> int:
    """``envs`` for an environments file with a ``gitops:`` block (:mod:`.gitops`): the environments
    ``chosen`` are rendered and written to ``outdir/<path>``, the controller's objects to
    ``outdir/<tool>``, where those of the other environments stay as they are
    (:func:`_controller_objects`)."""
    from .gitops import controller_directory, controller_summary, environment_path, render_environments

    gitops = loaded.gitops
    assert gitops is not None
    targets = [environment_path(gitops, env.name) for env in chosen] + [controller_directory(gitops)]
    try:
        check_repository_root(outdir, targets, project_root=PROJECT_ROOT)
    except UnsafeOutdirError as error:
        _fail([str(error)], stderr)
        return 2
    if any(check_output(outdir / target, stderr=stderr) for target in targets):
        return 2
    names = {env.name for env in chosen}
    try:
        written, controller = render_environments(loaded, settings, names)
    except ValuesError as error:
        _fail(error.lines, stderr)
        return 1
    try:
        controller, notes = _controller_objects(loaded, written, controller, outdir)
    except ValuesError as error:
        _fail(error.lines, stderr)
        return 1
    from .deploy_tree import RECORD_FILE, RecordError, claim_of, conflicts, read_record, record_text

    # the record names every directory the file writes, its environments not named by --env too
    paths = {name: environment_path(gitops, name) for name in loaded.environments}
    claim = claim_of(loaded.path, gitops.tool, controller.directory, paths)
    try:
        recorded = read_record(outdir)
    except RecordError as error:
        _fail([str(error)], stderr)
        return 1
    refused = conflicts(claim, recorded, outdir / RECORD_FILE)
    if refused:
        _fail(refused, stderr)
        return 1
    try:
        results = write_tree(
            outdir,
            {env.path: env.rendered for env in written},
            {controller.directory: controller.texts()},
            {RECORD_FILE: (record_text(claim, recorded), 0o644)},
        )
    except OSError as error:
        _fail([_unwritten(outdir, error)], stderr)
        return 1
    if not quiet:
        by_hand = f"{'Argo CD' if gitops.tool == 'argocd' else 'Flux'} syncs it; the deploy commands below apply it by hand"
        for env in written:
            print(f"== {env.name} ({by_hand})\n{results[env.path].summary()}", file=stderr)
        print(f"== {controller.directory}\n" + "\n".join([*controller_summary(gitops, controller, outdir), *notes]), file=stderr)
    return 0


def _controller_objects(
    loaded: EnvironmentsFile, rendered: Sequence[GitOpsEnvironment], controller: ControllerOutput, root: Path
) -> tuple[ControllerOutput, list[str]]:
    """The controller's objects of every environment of ``loaded`` when only those ``rendered``
    were (``--env``): the others as the deploy tree at ``root`` holds them
    (:func:`.gitops.environments_in_tree`, nothing of their values is read), all rendered again from
    the ``gitops:`` block as it is now; and a line for each other environment the tree has not got
    (not rendered there yet), which then has no object. Raise :class:`ValuesError` when one of
    ``rendered`` shares a namespace or an object name with one of the tree."""
    from .gitops import controller_output, environments_in_tree, name_problems, owner_problems

    gitops = loaded.gitops
    assert gitops is not None
    done = {env.name: env for env in rendered}
    if set(done) >= set(loaded.environments):
        return controller, []
    others, missing = environments_in_tree(gitops, [env for env in loaded.environments.values() if env.name not in done], root)
    from_tree = {env.name: env for env in others}
    every = [done.get(name) or from_tree[name] for name in loaded.environments if name in done or name in from_tree]
    # what is checked across environments, with those of the tree: an --env run would otherwise
    # miss a namespace or an object name that one of them has already
    problems = [
        f"{loaded.where('environments', name)}: {problem}"
        for name, problem in [*name_problems(gitops, every), *owner_problems(gitops, every)]
        if name  # the parent's name is checked with the rendered ones
    ]
    if problems:
        raise ValuesError(problems)
    notes = [f"{name}: not in {root} yet, so not synced: render it (--env {name}) when it is to be deployed" for name in missing]
    return controller_output(gitops, every), notes


def diff(
    *,
    values: Path | Sequence[Path],
    against: Path,
    settings: Sequence[Setting] = (),
    env_file: Path | Sequence[Path] | None = None,
    environ: Mapping[str, str] | None = None,
    stdout: TextIO | None = None,
    stderr: TextIO | None = None,
) -> int:
    """Compare what the values render with the output directory ``against``: each object added,
    removed or changed (a unified YAML diff; Secret values never shown), the workloads that will
    roll, and a summary line on ``stderr``. Writes nothing."""
    from .diff import DiffError, diff_outputs, known_documents, read_output

    stdout = stdout if stdout is not None else sys.stdout
    stderr = stderr if stderr is not None else sys.stderr
    problems: list[str] = []
    try:
        rendered = _render(_paths(values), settings, env_file, environ)
    except (ValuesError, SynthError) as error:
        problems += error.lines
    except EnvFileError as error:
        problems += str(error).splitlines()
    try:  # what is rendered again as it was is not parsed again: the cost is what changed
        old = read_output(against, known_documents(rendered.files) if not problems else None)
    except DiffError as error:
        problems.insert(0, str(error))
    if problems:
        _fail(problems, stderr)
        return 2
    from .deploy import left_behind
    from .rotation import restart_plan, secret_changes

    result = diff_outputs(rendered.files, old, old_label=str(against), new_label="(rendered)")
    restart = restart_plan(rendered.release, secret_changes(old, rendered.files))
    if not result.identical:
        print(result.report(with_summary=False), end="", file=stdout)
    summary = result.summary()
    moved = left_behind(old, rendered.release)
    if moved:
        print("\n".join(moved), file=stdout)
    if restart is not None:
        print("\n".join(restart.lines()), file=stdout)
        if restart.workloads and not restart.reloader:
            summary += f"; restart: {', '.join(restart.workloads)}"
    print(summary, file=stderr)
    return 0 if result.identical else 1


def diff_environments(
    *,
    file: Path,
    against: Path,
    names: Sequence[str] = (),
    settings: Sequence[Setting] = (),
    env_file: Path | Sequence[Path] | None = None,
    environ: Mapping[str, str] | None = None,
    stdout: TextIO | None = None,
    stderr: TextIO | None = None,
) -> int:
    """Compare each environment of ``file`` (or those named), rendered as ``envs`` would render it
    (``settings`` applied to each), with its directory under ``against``: ``<path>`` of the
    ``gitops:`` block, else ``<name>``; with a ``gitops:`` block the controller's objects too. A
    section per environment (``== <name>``): each object added, removed or changed, what will roll,
    the workloads to restart, its summary line; a summary line per environment on ``stderr``.
    0 when nothing would change, 1 when something would, 2 when it cannot compare. Writes nothing."""
    from .deploy import left_behind
    from .diff import DiffError, diff_outputs, known_documents, read_output
    from .rotation import restart_plan, secret_changes

    stdout = stdout if stdout is not None else sys.stdout
    stderr = stderr if stderr is not None else sys.stderr
    loaded = _environments_file(file, names, stderr, invalid=2)
    if isinstance(loaded, int):
        return loaded
    table = loaded.environments
    if not against.is_dir():
        what = "no such directory" if not against.exists() else "not a directory"
        _fail([f"{against}: {what}; pass --against the directory envs writes (a checkout of the deploy repository)"], stderr)
        return 2
    if loaded.gitops is not None and env_file:
        _fail([f"--env-file: {loaded.where('gitops')}: a gitops: environments file never writes a Secret's values"], stderr)
        return 2
    chosen = list(names or table)
    by_environment = _settings_of(loaded, [table[name] for name in chosen], settings, stderr, invalid=2)
    if isinstance(by_environment, int):
        return by_environment

    def rendered_sections() -> Iterator[tuple[str, Path, Mapping[str, list[dict[str, object]]], Release | None]]:
        """(section, directory, rendered files, release or None), one environment at a time: each is
        compared and let go before the next is rendered (the memory is one environment's)."""
        if loaded.gitops is not None:
            from .gitops import render_environments

            rendered, controller = render_environments(loaded, by_environment, chosen)  # only those chosen
            merged, _ = _controller_objects(loaded, rendered, controller, against)
            rendered.reverse()
            while rendered:  # popped: each environment is let go once compared
                done = rendered.pop()
                if done.name in chosen:
                    yield (done.name, against / done.path, done.rendered.files, done.rendered.release)
            yield (merged.directory, against / merged.directory, merged.files, None)
        else:
            for name in chosen:
                env = table[name]
                one = _render(env.values, by_environment[name], env_file, environ)
                yield (name, against / name, one.files, one.release)

    # What each section prints (its text on stdout, its summary line on stderr), kept as text
    # until every section is compared: nothing is printed when one cannot be compared.
    printed: list[tuple[str, str]] = []
    identical = True
    try:
        for name, directory, files, release in rendered_sections():
            old = read_output(directory, known_documents(files)) if directory.exists() else {}
            result = diff_outputs(files, old, old_label=str(directory), new_label="(rendered)")
            extra = [f"{directory}: not there yet; everything is added"] if not directory.exists() else []
            if release is not None:
                extra += left_behind(old, release)
                restart = restart_plan(release, secret_changes(old, files))
                if restart is not None:
                    extra += restart.lines()
            del old, files, release
            text = f"== {name} ({directory})\n"
            if not result.identical:
                text += result.report(with_summary=False)
            if extra:
                text += "\n".join(extra) + "\n"
            printed.append((text + result.summary() + "\n", f"{name}: {result.summary()}"))
            identical = identical and result.identical
    except (ValuesError, SynthError) as error:
        _fail(error.lines, stderr)
        return 2
    except EnvFileError as error:
        _fail(str(error).splitlines(), stderr)
        return 2
    except DiffError as error:
        _fail([str(error)], stderr)
        return 2
    for text, _ in printed:
        print(text, end="", file=stdout)
    for _, summary in printed:
        print(summary, file=stderr)
    return 0 if identical else 1


def check_output(outdir: Path, *, stderr: TextIO | None = None) -> int:
    """0 when a synth may replace ``outdir``; else 2, with the reason on ``stderr``
    (:func:`.outdir.check_output`, for this project)."""
    return outdir_check_output(outdir, project_root=PROJECT_ROOT, stderr=stderr)


def _fail(lines: Sequence[str], stderr: TextIO) -> None:
    print("\n".join(f"error: {line}" for line in lines), file=stderr)


def diagram(
    *, values: Path | Sequence[Path], settings: Sequence[Setting] = (), stdout: TextIO | None = None, stderr: TextIO | None = None
) -> int:
    """Print the Mermaid picture of the values to ``stdout``."""
    from .diagram import mermaid

    try:
        app_values = load_values(_paths(values), settings)
    except ValuesError as error:
        _fail(error.lines, stderr if stderr is not None else sys.stderr)
        return 1
    print(mermaid(app_values), end="", file=stdout if stdout is not None else sys.stdout)
    return 0


def list_presets(directory: Path, *, stdout: TextIO | None = None) -> int:
    """Print each preset in ``directory`` with its one-line ``description``. The names and
    descriptions are printed with every character that is not printable escaped (:func:`_printable`):
    a description from a pull request cannot retitle or clear the terminal."""
    from .inputs import InputError, read_text_bounded
    from .layers import parse_document

    rows = []
    for path in sorted(directory.glob("*.yaml")):
        try:
            data: object = parse_document(read_text_bounded(path, what="values file"), str(path))[0]
        except (InputError, ValuesError):
            data = None
        description = data.get("description", "") if isinstance(data, dict) else "(not a valid values file)"
        rows.append((_printable(f"{directory.name}/{path.name}"), _printable(str(description))))
    width = max((len(name) for name, _ in rows), default=0)
    for name, description in rows:
        print(f"{name:<{width}}  {description}".rstrip(), file=stdout if stdout is not None else sys.stdout)
    return 0


def _printable(text: str) -> str:
    """``text`` with each character that is not printable (ESC, CR, the C1 CSI U+009B, a line
    separator, ...) escaped as ``repr`` escapes it (``\\x1b``), so that printing it cannot move
    the cursor or send a terminal a command."""
    return "".join(char if char.isprintable() else repr(char)[1:-1] for char in text)
