#pragma once

#include "source/opensource.h"
#include "util/result.h"

#include <QString>

namespace slipway {

// True for what git would fetch from over the network (or file://): scheme://... with a
// scheme libgit2 speaks, or scp-like user@host:path.
bool isGitUrl(const QString &location);

// The URL for messages: a password in it is left out.
QString displayUrl(const QString &url);

// What tells one repository from another, whatever way it is reached: "host/owner/name" for a
// URL (lower-case host; no scheme, user, port or ".git": https://github.com/Team/api.git and
// git@github.com:Team/api are both "github.com/Team/api"), the remote "origin"'s identity for a
// local git work tree or bare repository that has one, else the absolute path. For an app's
// identity (a history project's source).
QString sourceIdentity(const QString &location);

// CACHE/git/<last path component>-<first 16 hex of sha256(url)>.git
QString mirrorPath(const QString &cacheDir, const QString &url);

// The directory holding the user's ssh keys and known_hosts: $SLIPWAY_SSH_DIR, or ~/.ssh.
QString sshDirectory();

// Makes the bare mirror of options.location current: cloned on first use (into a temporary
// directory renamed into place, so an interrupted clone leaves nothing behind), fetched
// incrementally (with prune) afterwards. The mirror's HEAD follows the remote's default branch.
// Posts FetchEvents (throttled) and log lines to options.events; options.stop cancels.
// Returns the mirror's path.
Result<QString> updateMirror(const SourceOptions &options);

} // namespace slipway
