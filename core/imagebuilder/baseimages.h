#pragma once

#include "registry/imagereference.h"
#include "util/result.h"

#include <QByteArray>
#include <QList>
#include <QMap>
#include <QString>

namespace slipway {

class EngineClient;
class EventSink;

// An image a Dockerfile's FROM lines pull from a registry.
struct DockerfileBase
{
    QString text;             // as the FROM line names it, its variables substituted
    ImageReference reference; // parsed: its registry decides the credential
    int line = 0;             // of the first FROM naming it, 1-based
};

// The images a Dockerfile builds on, each once, in the order of their first FROM: not
// `scratch`, not an earlier stage (`FROM x AS name`, then `FROM name`). `$NAME`, `${NAME}`,
// `${NAME:-word}` and `${NAME:+word}` are substituted as the engine does: from the ARGs declared
// before the first FROM, a [build] arg over the ARG's default; an undeclared one is empty.
// Comments, blank lines and `\` line continuations are understood; flags (`--platform=...`) are
// skipped. A FROM whose image is no valid reference after substitution is left out: the engine
// says what is wrong with it.
QList<DockerfileBase> dockerfileBases(const QByteArray &dockerfile, const QMap<QString, QString> &buildArgs);

// Before an engine builds `dockerfile` (its contents; `name` its path, for messages), pulls onto
// it each base whose registry the user has a credential for (the lookup a deploy's pull uses:
// CredentialStore::fromEnvironment(dataDir).find, Slipway's saved login first), with that
// credential in X-Registry-Auth, unless the engine has it already; for a registry on the engine's loopback
// through pullFromLoopback (no certificate check there, as Docker does for 127.0.0.0/8). A base without a
// credential is left to the engine, as before; a pulled one the build then finds on the engine. The
// credential is never logged, never in a message, never a build arg. A failed pull is one line:
// "Dockerfile:3: FROM REF: pull with the credential for REGISTRY: ..." and the engine's (the registry's)
// answer.
Status pullCredentialedBases(EngineClient &client, const QByteArray &dockerfile, const QString &name,
                             const QMap<QString, QString> &buildArgs, const QString &dataDir,
                             EventSink &events);

} // namespace slipway
