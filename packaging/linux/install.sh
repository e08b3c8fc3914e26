#!/bin/sh
# Install a built Nano Banana Desktop bundle for the current user, or remove it again.
#
#   ./install.sh [BUNDLE]           install (or update) from BUNDLE
#   ./install.sh --uninstall        remove what an install put in place
#
# BUNDLE is the folder packaging/build.py makes (dist/nanobanana-desktop); a copy of this
# script sits in it, and run from there it needs no argument. Nothing needs root:
#
#   the app           ~/.local/opt/nanobanana-desktop/
#   the command       ~/.local/bin/nanobanana-desktop
#   the menu entry    $XDG_DATA_HOME/applications/org.nanobanana.Desktop.desktop
#   AppStream data    $XDG_DATA_HOME/metainfo/org.nanobanana.Desktop.metainfo.xml
#   the icons         $XDG_DATA_HOME/icons/hicolor/*/apps/nanobanana-desktop.{png,svg}
#
# ($XDG_DATA_HOME is ~/.local/share unless set.) Settings, history and images are not
# touched by either: they live in the profile and library folders (see README).
set -eu

APP_ID=org.nanobanana.Desktop
NAME=nanobanana-desktop
DATA=${XDG_DATA_HOME:-$HOME/.local/share}
TARGET=$HOME/.local/opt/$NAME
BIN=$HOME/.local/bin

say() { printf '%s\n' "$*"; }
fail() { printf 'install.sh: %s\n' "$*" >&2; exit 1; }

uninstall() {
    if [ -x "$TARGET/$NAME" ]; then
        rm -rf "$TARGET"
    fi
    # Only our own link: a nanobanana-desktop from elsewhere (pip) stays.
    case $(readlink "$BIN/$NAME" 2>/dev/null || true) in
        "$TARGET/$NAME") rm -f "$BIN/$NAME" ;;
    esac
    rm -f "$DATA/applications/$APP_ID.desktop" "$DATA/metainfo/$APP_ID.metainfo.xml"
    rm -f "$DATA"/icons/hicolor/*/apps/"$NAME".png "$DATA"/icons/hicolor/*/apps/"$NAME".svg
    refresh_caches
    say "Nano Banana Desktop removed. Your settings, history and images were kept."
}

refresh_caches() {
    # Menus pick the changes up sooner; without these tools they do so at the next login.
    if command -v update-desktop-database >/dev/null 2>&1; then
        update-desktop-database -q "$DATA/applications" 2>/dev/null || true
    fi
    if command -v gtk-update-icon-cache >/dev/null 2>&1; then
        gtk-update-icon-cache -q -t -f "$DATA/icons/hicolor" 2>/dev/null || true
    fi
}

install_bundle() {
    bundle=$1
    [ -x "$bundle/$NAME" ] || fail "$bundle has no $NAME program: build one with packaging/build.py"
    [ -d "$bundle/share/applications" ] || fail "$bundle has no share/ folder: build it again with packaging/build.py"
    case $TARGET in
        *'"'* | *'`'* | *'$'* | *\\*)
            fail "the install folder $TARGET has a character a menu entry cannot hold" ;;
    esac
    bundle=$(cd "$bundle" && pwd -P)
    mkdir -p "$HOME/.local/opt" "$BIN" "$DATA/applications" "$DATA/metainfo" "$DATA/icons/hicolor"
    if [ "$bundle" != "$(cd "$TARGET" 2>/dev/null && pwd -P || true)" ]; then
        # Copy beside the old version, then swap: a failed copy leaves the old one working.
        rm -rf "$TARGET.new"
        cp -R "$bundle" "$TARGET.new"
        rm -rf "$TARGET"
        mv "$TARGET.new" "$TARGET"
    fi
    ln -sf "$TARGET/$NAME" "$BIN/$NAME"
    # The menu runs the program by its full path: ~/.local/bin may not be on its PATH.
    sed -e "s|^TryExec=.*|TryExec=$TARGET/$NAME|" \
        -e "s|^Exec=$NAME|Exec=\"$TARGET/$NAME\"|" \
        "$TARGET/share/applications/$APP_ID.desktop" > "$DATA/applications/$APP_ID.desktop"
    cp "$TARGET/share/metainfo/$APP_ID.metainfo.xml" "$DATA/metainfo/"
    cp -R "$TARGET/share/icons/hicolor/." "$DATA/icons/hicolor/"
    refresh_caches
    say "Nano Banana Desktop installed in $TARGET."
    say "Start it from the applications menu, or run: $BIN/$NAME"
    case :$PATH: in
        *:"$BIN":*) ;;
        *) say "($BIN is not on your PATH: add it to run '$NAME' by name.)" ;;
    esac
}

case ${1:-} in
    --uninstall) uninstall ;;
    -h | --help) sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//' ;;
    "")
        here=$(dirname "$0")
        if [ -x "$here/$NAME" ]; then
            install_bundle "$here"
        else
            install_bundle "$here/../../dist/$NAME"  # run from a checkout
        fi ;;
    -*) fail "unknown option $1 (use --uninstall or --help)" ;;
    *) install_bundle "$1" ;;
esac
