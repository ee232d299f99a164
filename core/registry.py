"""Which rule plugins and packs are installed: built-ins, then entry points, loaded one at a time.

A plugin or pack that fails to load is recorded by name and the rest still load; ``strict=True``
turns the first such failure into an error.
"""

from __future__ import annotations

import difflib
import importlib.resources
import os
from importlib.metadata import EntryPoint, entry_points
from pathlib import Path

import attrs

from jixiao.core.errors import PluginError
from jixiao.core.hookspecs import ALL_HOOKS, PROJECT
from jixiao.core.rule import IMPL_MARKER, Rule

PLUGIN_GROUP = "jixiao.plugins"
PACK_GROUP = "jixiao.packs"
PACK_PATH_ENV = "JIXIAO_PACKS"  # folders of pack files, separated by os.pathsep


@attrs.frozen
class PluginInfo:
    name: str
    cls: type[Rule]
    origin: str  # "builtin" or "dist-name 1.0 (entry point NAME)"


@attrs.frozen
class LoadFailure:
    name: str
    origin: str
    error: str

    def render(self) -> str:
        return f"{self.origin}: {self.name!r} could not be loaded: {self.error}"


@attrs.frozen
class PackSource:
    id: str  # the file stem; the pack's own [pack].id must match it
    path: Path
    origin: str


def closest(name: str, known: list[str]) -> str:
    match = difflib.get_close_matches(name, known, n=1, cutoff=0.5)
    return f"; did you mean {match[0]!r}?" if match else ""


def _origin(ep: EntryPoint) -> str:
    dist = ep.dist
    where = f"{dist.name} {dist.version}" if dist is not None else "entry point"
    return f"{where} (entry point {ep.name} = {ep.value})"


@attrs.define
class Registry:
    """Name → rule plugin class, and id → pack file."""

    plugins: dict[str, PluginInfo] = attrs.field(factory=dict)
    packs: dict[str, PackSource] = attrs.field(factory=dict)
    failures: list[LoadFailure] = attrs.field(factory=list)

    @classmethod
    def discover(cls, *, strict: bool = False, use_entry_points: bool = True) -> Registry:
        from jixiao.plugins import DEFAULT_PLUGINS
        from jixiao.policy_packs import builtin_pack_files

        reg = cls()
        for plugin in DEFAULT_PLUGINS:
            reg.add_plugin(plugin, "builtin")
        for path in builtin_pack_files():
            reg.add_pack(path, "builtin")
        for folder in filter(None, os.environ.get(PACK_PATH_ENV, "").split(os.pathsep)):
            reg._load_pack_folder(Path(folder), strict)
        if use_entry_points:
            for ep in entry_points(group=PLUGIN_GROUP):
                reg._load_plugin_entry_point(ep, strict)
            for ep in entry_points(group=PACK_GROUP):
                reg._load_pack_entry_point(ep, strict)
        return reg

    def add_plugin(self, plugin: type[Rule], origin: str) -> None:
        if not (isinstance(plugin, type) and issubclass(plugin, Rule) and plugin.name):
            raise PluginError(f"{origin}: {plugin!r} is not a jixiao.Rule subclass with a name")
        check_contract(plugin, origin)
        if plugin.name in self.plugins:
            other = self.plugins[plugin.name]
            raise PluginError(f"plugin name {plugin.name!r} is registered twice: by {other.origin} "
                              f"and by {origin}")
        self.plugins[plugin.name] = PluginInfo(plugin.name, plugin, origin)

    def add_pack(self, path: Path, origin: str) -> None:
        pack_id = path.stem
        if pack_id in self.packs:
            other = self.packs[pack_id]
            raise PluginError(f"pack id {pack_id!r} is provided twice: by {other.origin} ({other.path}) "
                              f"and by {origin} ({path})")
        self.packs[pack_id] = PackSource(pack_id, path, origin)

    def _fail(self, name: str, origin: str, exc: BaseException, strict: bool) -> None:
        failure = LoadFailure(name, origin, f"{type(exc).__name__}: {exc}")
        if strict:
            raise PluginError(failure.render()) from exc
        self.failures.append(failure)

    def _load_plugin_entry_point(self, ep: EntryPoint, strict: bool) -> None:
        origin = _origin(ep)
        try:
            plugin = ep.load()
            if getattr(plugin, "name", None) != ep.name:
                raise PluginError(f"entry point name {ep.name!r} differs from the plugin's name "
                                  f"{getattr(plugin, 'name', None)!r}")
            self.add_plugin(plugin, origin)
        except Exception as exc:  # a broken third-party plugin must not stop the others
            self._fail(ep.name, origin, exc, strict)

    def _load_pack_entry_point(self, ep: EntryPoint, strict: bool) -> None:
        origin = _origin(ep)
        try:
            target = ep.load()
            if not hasattr(target, "__path__"):
                raise PluginError(f"{getattr(target, '__name__', target)!r} is not a package; a jixiao.packs "
                                  "entry point names a package holding .toml pack files")
            files = importlib.resources.files(target)
            found = [Path(str(f)) for f in files.iterdir() if f.name.endswith(".toml")]
            if not found:
                raise PluginError(f"package {target.__name__} holds no .toml pack files")
            for path in sorted(found):
                self.add_pack(path, origin)
        except Exception as exc:
            self._fail(ep.name, origin, exc, strict)

    def _load_pack_folder(self, folder: Path, strict: bool) -> None:
        """Each file on its own: one whose id is taken already (a ``national.toml``) is reported by
        name and the folder's other packs still load."""
        origin = f"{PACK_PATH_ENV} folder {folder}"
        if not folder.is_dir():
            self._fail(str(folder), origin, PluginError(f"{folder} is not a folder"), strict)
            return
        for path in sorted(folder.glob("*.toml")):
            try:
                self.add_pack(path, origin)
            except Exception as exc:
                self._fail(str(path), origin, exc, strict)

    def plugin(self, name: str) -> PluginInfo:
        try:
            return self.plugins[name]
        except KeyError:
            raise PluginError(f"unknown plugin {name!r}{closest(name, list(self.plugins))}") from None


def check_contract(plugin: type[Rule], origin: str) -> None:
    """Refuse, at registration, a plugin whose hooks would silently never run: a ``jixiao_*`` method
    that is no hook (a misspelling), a hook method without ``@hookimpl``, no hook at all — and a
    ``Params`` that is not an attrs class (it would fail only when a pack uses it, blamed on the pack)."""
    name = plugin.name
    for attr in sorted(a for a in dir(plugin) if a.startswith(PROJECT + "_") and callable(getattr(plugin, a))):
        if attr not in ALL_HOOKS:
            raise PluginError(f"{origin}: plugin {name!r}: {attr} is not a jixiao hook{closest(attr, list(ALL_HOOKS))} "
                              f"(the hooks are {', '.join(ALL_HOOKS)})")
        if getattr(getattr(plugin, attr), IMPL_MARKER, None) is None:
            raise PluginError(f"{origin}: plugin {name!r}: {attr} is not marked @hookimpl, so it would never be "
                              f"called (from jixiao.core.hookspecs import hookimpl)")
    if not plugin.hooks():
        raise PluginError(f"{origin}: plugin {name!r} implements no hook")
    if not (isinstance(plugin.Params, type) and attrs.has(plugin.Params)):
        raise PluginError(f"{origin}: plugin {name!r}: Params must be an attrs class "
                          f"(@attrs.frozen(kw_only=True)), got {plugin.Params!r}")
