#pragma once

#include "oci/imagespec.h"
#include "source/source.h"
#include "util/result.h"

#include <QList>
#include <QMap>
#include <QString>
#include <QStringList>

#include <optional>

namespace slipway {

// slipway.toml, parsed. See docs/slipway-toml.md.
struct LayerSpec
{
    QString name;
    QStringList include;                // globs over repository paths ("**", "*", "?", "[...]"), at least one
    QStringList exclude;                // globs; a file matching one is left for the layers above
    QString dest = QStringLiteral("/"); // absolute directory in the image the paths go under
};

struct HealthSpec
{
    QString path; // HTTP path, e.g. "/healthz"; empty: no HTTP check
    int port = 0;
    int timeoutSeconds = 30;
    int intervalSeconds = 1;
};

struct DeploySpec
{
    QString name;      // container name prefix on targets
    QStringList ports; // "8080:8080"
    QString network;   // e.g. "host"; empty: the engine's default
    QMap<QString, QString> env;
    std::optional<HealthSpec> health;
    QString restart = QStringLiteral("unless-stopped");
    // How long a retired container gets between SIGTERM and SIGKILL ([deploy] stop_timeout).
    int stopTimeoutSeconds = 10;
};

struct Spec
{
    ImageSpec image;
    QList<LayerSpec> layers; // bottom to top
    DeploySpec deploy;
};

// Parses slipway.toml. `fileName` is used in messages: "slipway.toml:12: [image] unknown key 'entrypont'".
// Unknown keys, wrong types and bad values are BadInput errors naming file, line and key.
Result<Spec> parseSpec(const QByteArray &toml, const QString &fileName = QStringLiteral("slipway.toml"));

// Assigns each file to the first layer that takes it (an include matches and no exclude does).
// Files no layer takes are left out. A layer that takes no file is a BadInput error naming it.
// The result has one list per layer, in spec order, each sorted as `files` is.
Result<QList<QList<SourceFile>>> assignFiles(const Spec &spec, const QList<SourceFile> &files,
                                             const QString &fileName = QStringLiteral("slipway.toml"));

} // namespace slipway
