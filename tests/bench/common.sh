# Sourced by the benchmark scripts: how their corpora become git repositories.

# Commits are reproducible: fixed dates and a fixed identity.
export GIT_AUTHOR_DATE="@1700000000 +0000" GIT_COMMITTER_DATE="@1700000000 +0000"
git_commit() { git -C "$1" -c user.name=bench -c user.email=bench@slipway.invalid commit -qm "$2"; }

# bench_repository DIR MESSAGE: DIR as a git repository on main, everything in one commit.
bench_repository() {
    git -C "$1" init -q -b main
    git -C "$1" add -A
    git_commit "$1" "$2"
}

# node_spec DIR ENTRYPOINT [LAYERS]: the slipway.toml of a node_modules-like corpus: the
# dependencies in a layer of their own, LAYERS (more [[layers]] tables) next, the app last.
node_spec() {
    cat > "$1/slipway.toml" <<TOML
[image]
entrypoint = ["/usr/bin/node", "$2"]
workdir = "/app"
[[layers]]
name = "deps"
include = ["node_modules/**"]
dest = "/app"
${3:-}[[layers]]
name = "app"
include = ["**"]
dest = "/app"
TOML
}

# node_modules_tree DIR: DIR/node_modules, installed by npm from tests/bench/node-app/package.json
# (pinned versions) unless DIR already holds that install.
node_modules_tree() {
    local app
    app="$(dirname "${BASH_SOURCE[0]}")/node-app/package.json"
    mkdir -p "$1"
    if ! cmp -s "$app" "$1/package.json" || [ ! -d "$1/node_modules" ]; then
        cp "$app" "$1/"
        (cd "$1" && npm install --no-audit --no-fund --loglevel=error >&2)
    fi
}
