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

// [deploy.proxy]: the app serves behind its target's proxy, which routes requests for `hosts`
// to it and switches between releases with no gap (docs/deploy.md). Such an app publishes no
// host port: it joins the proxy's network.
struct ProxySpec
{
    QStringList hosts;  // host names routed to the app, lower case, e.g. "app.example.com"
    int port = 0;       // the app's port inside its container
    QString pathPrefix; // only requests under it ("/api"); empty: every path of its hosts
    // HTTPS: off, a certificate chain and its key (PEM files on this machine, read at deploy
    // time), or "internal": a certificate Slipway makes for the hosts, signed by itself (for
    // staging and private networks; clients must be told to trust it). ACME is for later.
    QString tlsCertificate;
    QString tlsKey;
    bool tlsInternal = false;
    bool tls() const { return tlsInternal || !tlsCertificate.isEmpty(); }
    // After the switch, how long requests already at the old release may take to finish
    // before it is stopped.
    int drainSeconds = 30;
};

// One of [deploy] volumes: "NAME:/path" (a named volume the engine keeps) or "/host/path:/path"
// (a directory or file of the target's host), with ":ro" for read-only.
struct VolumeSpec
{
    QString source; // the volume's name, or an absolute path on the target's host
    QString target; // an absolute path in the container
    bool readOnly = false;

    bool isBind() const { return source.startsWith(u'/'); }
    QString text() const { return source + u':' + target + (readOnly ? QStringLiteral(":ro") : QString()); }
    // "SOURCE:TARGET[:ro|:rw]" split as written, unchecked; nothing for another shape.
    static std::optional<VolumeSpec> fromText(const QString &text)
    {
        QStringList parts = text.split(u':');
        VolumeSpec volume;
        if (parts.size() == 3 && (parts.back() == u"ro" || parts.back() == u"rw"))
            volume.readOnly = parts.takeLast() == u"ro";
        if (parts.size() != 2)
            return std::nullopt;
        volume.source = parts.at(0);
        volume.target = parts.at(1);
        return volume;
    }
    bool operator==(const VolumeSpec &) const = default;
};

// Where a container's output goes ([deploy] log); by default a json-file the engine rotates, so
// a chatty app cannot fill the target's disk.
struct LogSpec
{
    QString driver = QStringLiteral("json-file");
    QMap<QString, QString> options{{QStringLiteral("max-size"), QStringLiteral("10m")},
                                   {QStringLiteral("max-file"), QStringLiteral("3")}};
    bool operator==(const LogSpec &) const = default;
};

struct DeploySpec
{
    QString name;      // container name prefix on targets
    QStringList ports; // "8080:8080", "127.0.0.1:8080:8080", "8125:8125/udp"
    QString network;   // e.g. "host"; empty: the engine's default
    QMap<QString, QString> env;
    std::optional<HealthSpec> health;
    QString restart = QStringLiteral("unless-stopped");
    // How long a retired container gets between SIGTERM and SIGKILL ([deploy] stop_timeout).
    int stopTimeoutSeconds = 10;
    // With a volume, the old container stops before the new one starts: two containers must
    // not write the same data.
    QList<VolumeSpec> volumes;
    qint64 memoryBytes = 0;        // the container's memory limit; 0: none
    double cpus = 0;               // CPUs it may use, e.g. 1.5; 0: no limit
    QStringList command;           // replaces the image's CMD; empty: the image's
    QMap<QString, QString> labels; // besides Slipway's own io.slipway.* labels
    QStringList extraHosts;        // "name:address" lines for the container's /etc/hosts
    LogSpec log;
    // Names of secrets whose values come from the system keychain at deploy time (AppSecrets),
    // never from this file: as environment variables, or with secretFiles as files
    // /run/secrets/NAME.
    QStringList secrets;
    bool secretFiles = false;
    std::optional<ProxySpec> proxy; // [deploy.proxy]; none: the app publishes its own ports
    // Tasks of the app's service on a Swarm target; any other target runs one container.
    int replicas = 1;
};

// An [env.NAME] table: where the environment deploys, and [deploy] with its keys over it.
struct EnvironmentSpec
{
    QString name;
    QStringList targets;   // target names; empty: the deploy names them
    DeploySpec deploy;     // [deploy], with this table's keys in place of its own
    bool namesApp = false; // the table sets `name`: its app is that, not "<app>-<environment>"
};

// [build]: a Dockerfile build, run by an engine (a source with no [[layers]]).
struct BuildSpec
{
    QString dockerfile = QStringLiteral("Dockerfile"); // its path in the repository
    QString target;                                    // the stage to build; empty: the last
    QMap<QString, QString> args;                       // build args: never a credential or secret
    QString engine;                                    // the target whose engine builds; empty: chosen
};

struct Spec
{
    ImageSpec image;
    // Bottom to top. None: the image is built from the Dockerfile ([build]), by an engine.
    QList<LayerSpec> layers;
    BuildSpec build;
    DeploySpec deploy;
    QList<EnvironmentSpec> environments; // by name
};

// An environment variable's name, as [deploy] secrets takes: [A-Za-z_][A-Za-z0-9_]*.
bool isVariableName(const QString &name);
// A container name prefix, as [deploy] name takes and apps are named: [a-z0-9][a-z0-9_.-]*.
bool isContainerName(const QString &name);

// A Dockerfile build's spec where a source has no slipway.toml: [build] and [deploy] defaults.
Spec dockerfileSpec();

// Parses slipway.toml. Without [[layers]] it describes a Dockerfile build ([build]). `fileName` is used in
// messages: "slipway.toml:12: [image] unknown key 'entrypont'". Unknown keys, wrong types and bad values are
// BadInput errors naming file, line and key.
Result<Spec> parseSpec(const QByteArray &toml, const QString &fileName = QStringLiteral("slipway.toml"));

// Assigns each file to the first layer that takes it (an include matches and no exclude does).
// Files no layer takes are left out. A layer that takes no file is a BadInput error naming it.
// The result has one list per layer, in spec order, each sorted as `files` is.
Result<QList<QList<SourceFile>>> assignFiles(const Spec &spec, const QList<SourceFile> &files,
                                             const QString &fileName = QStringLiteral("slipway.toml"));

} // namespace slipway
