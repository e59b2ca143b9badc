#include "registry/registryaccess.h"

#include "registry/credentials.h"
#include "registry/imagereference.h"
#include "util/paths.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>
#include <QStringList>

#include <toml++/toml.h>

namespace slipway {

QString registryCaFile(const QString &registry, const QString &dataDirOption)
{
    const QStringList roots{QDir(DataDirs::resolve(dataDirOption).config).filePath(QStringLiteral("certs.d")),
                            QStringLiteral("/etc/docker/certs.d"), QStringLiteral("/etc/containers/certs.d")};
    for (const QString &root : roots) {
        const QString candidate = root + u'/' + registry + QStringLiteral("/ca.crt");
        if (QFileInfo(candidate).isFile())
            return candidate;
    }
    return {};
}

namespace {

// registries.conf `location` (or `prefix`) names a registry, optionally with a path inside it.
bool locationMatches(const QString &location, const QString &registry)
{
    return location == registry || location.startsWith(registry + u'/');
}

Result<toml::table> readToml(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return Error::failed(QStringLiteral("%1: cannot read: %2").arg(path, file.errorString()));
    const QByteArray text = file.readAll();
    try {
        return toml::parse(std::string_view(text.constData(), size_t(text.size())));
    } catch (const toml::parse_error &e) {
        return Error::badInput(QStringLiteral("%1:%2: not valid TOML: %3")
                                   .arg(path)
                                   .arg(e.source().begin.line)
                                   .arg(QString::fromUtf8(e.description())));
    }
}

// $CONTAINERS_REGISTRIES_CONF, else ~/.config/containers/registries.conf if it exists, else
// /etc/containers/registries.conf; empty when none exists.
QString registriesConfPath()
{
    QString conf = qEnvironmentVariable("CONTAINERS_REGISTRIES_CONF");
    if (conf.isEmpty()) {
        QString config = qEnvironmentVariable("XDG_CONFIG_HOME");
        if (config.isEmpty())
            config = QDir::homePath() + QStringLiteral("/.config");
        conf = config + QStringLiteral("/containers/registries.conf");
        if (!QFileInfo::exists(conf))
            conf = QStringLiteral("/etc/containers/registries.conf");
    }
    return QFileInfo::exists(conf) ? conf : QString();
}

QString daemonJsonPath()
{
    const QString daemon = qEnvironmentVariable("SLIPWAY_DOCKER_DAEMON_JSON");
    return daemon.isEmpty() ? QStringLiteral("/etc/docker/daemon.json") : daemon;
}

// Docker's daemon.json; an empty object when it is absent or unreadable (it is often root-only).
Result<QJsonObject> readDaemonJson(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return QJsonObject();
    QJsonParseError error;
    const QJsonDocument document = QJsonDocument::fromJson(file.readAll(), &error);
    if (error.error != QJsonParseError::NoError || !document.isObject())
        return Error::badInput(QStringLiteral("%1: not valid JSON: %2").arg(path, error.errorString()));
    return document.object();
}

Result<bool> insecureInRegistriesConf(const QString &path, const QString &registry)
{
    auto parsed = readToml(path);
    if (!parsed)
        return parsed.error();
    const toml::table &root = parsed.value();
    if (const toml::array *entries = root["registry"].as_array()) {
        for (const toml::node &node : *entries) {
            const toml::table *entry = node.as_table();
            if (!entry)
                continue;
            // An entry matches on its prefix when it has one, else on its location.
            QString location = QString::fromStdString((*entry)["prefix"].value_or(std::string()));
            if (location.isEmpty())
                location = QString::fromStdString((*entry)["location"].value_or(std::string()));
            if (locationMatches(location, registry))
                return (*entry)["insecure"].value_or(false);
        }
    }
    if (const toml::array *v1 = root["registries"]["insecure"]["registries"].as_array()) {
        for (const toml::node &node : *v1) {
            if (locationMatches(QString::fromStdString(node.value_or(std::string())), registry))
                return true;
        }
    }
    return false;
}

Result<bool> insecureInDaemonJson(const QString &path, const QString &registry)
{
    auto daemon = readDaemonJson(path);
    if (!daemon)
        return daemon.error();
    const QJsonArray list = daemon->value(QStringLiteral("insecure-registries")).toArray();
    for (const QJsonValue &value : list) {
        if (locationMatches(value.toString(), registry))
            return true;
    }
    return false;
}

} // namespace

Result<bool> isMarkedInsecure(const QString &registry)
{
    if (const QString conf = registriesConfPath(); !conf.isEmpty()) {
        Result<bool> marked = insecureInRegistriesConf(conf, registry);
        if (!marked || *marked)
            return marked;
    }
    return insecureInDaemonJson(daemonJsonPath(), registry);
}

namespace {

// `location` ("host[:port][/path]") with `rest` ("/more/path" or empty) as the reference to
// pull instead of `original`: same tag and digest.
Result<ImageReference> relocated(const QString &location, const QString &rest, const ImageReference &original,
                                 const QString &file)
{
    QString text = location + rest;
    // A host alone ("mirror.example") would read as a Docker Hub repository: make it a host.
    if (!text.section(u'/', 0, 0).contains(u'.') && !text.section(u'/', 0, 0).contains(u':') &&
        text.section(u'/', 0, 0) != u"localhost")
        return Error::badInput(
            QStringLiteral("%1: mirror location '%2' must name a host (with a '.' or a port)")
                .arg(file, location));
    if (!original.tag.isEmpty())
        text += u':' + original.tag;
    if (!original.digest.isEmpty())
        text += u'@' + original.digest;
    auto parsed = ImageReference::parse(text);
    if (!parsed)
        return Error::badInput(
            QStringLiteral("%1: mirror location '%2': %3").arg(file, location, parsed.error().message));
    return parsed;
}

} // namespace

Result<QList<MirroredReference>> registryMirrors(const ImageReference &reference)
{
    QList<MirroredReference> mirrors;
    const QString name = reference.registry + u'/' + reference.repository;
    if (const QString conf = registriesConfPath(); !conf.isEmpty()) {
        auto parsed = readToml(conf);
        if (!parsed)
            return parsed.error();
        // The [[registry]] whose prefix (else location) matches most of the name.
        const toml::table *best = nullptr;
        QString bestPrefix;
        if (const toml::array *entries = parsed.value()["registry"].as_array()) {
            for (const toml::node &node : *entries) {
                const toml::table *entry = node.as_table();
                if (!entry)
                    continue;
                QString prefix = QString::fromStdString((*entry)["prefix"].value_or(std::string()));
                if (prefix.isEmpty())
                    prefix = QString::fromStdString((*entry)["location"].value_or(std::string()));
                if (!prefix.isEmpty() && (name == prefix || name.startsWith(prefix + u'/')) &&
                    prefix.size() > bestPrefix.size()) {
                    best = entry;
                    bestPrefix = prefix;
                }
            }
        }
        if (best) {
            const QString rest = name.mid(bestPrefix.size());
            if (const toml::array *list = (*best)["mirror"].as_array()) {
                for (const toml::node &node : *list) {
                    const toml::table *mirror = node.as_table();
                    if (!mirror)
                        continue;
                    const QString location =
                        QString::fromStdString((*mirror)["location"].value_or(std::string()));
                    const std::string when = (*mirror)["pull-from-mirror"].value_or(std::string("all"));
                    if (location.isEmpty() || (when == "digest-only" && reference.digest.isEmpty()) ||
                        (when == "tag-only" && !reference.digest.isEmpty()))
                        continue;
                    auto mirrored = relocated(location, rest, reference, conf);
                    if (!mirrored)
                        return mirrored.error();
                    mirrors.append(MirroredReference{.reference = mirrored.value(),
                                                     .allowHttp = (*mirror)["insecure"].value_or(false)});
                }
            }
        }
    }
    // Docker's registry-mirrors stand in for Docker Hub only.
    if (reference.registry == u"docker.io") {
        const QString path = daemonJsonPath();
        auto daemon = readDaemonJson(path);
        if (!daemon)
            return daemon.error();
        for (const QJsonValue &value : daemon->value(QStringLiteral("registry-mirrors")).toArray()) {
            QString url = value.toString().trimmed();
            while (url.endsWith(u'/'))
                url.chop(1);
            const bool http = url.startsWith(QLatin1String("http://"));
            if (http || url.startsWith(QLatin1String("https://")))
                url = url.section(QStringLiteral("://"), 1);
            if (url.isEmpty())
                continue;
            auto mirrored = relocated(url, u'/' + reference.repository, reference, path);
            if (!mirrored)
                return mirrored.error();
            mirrors.append(MirroredReference{.reference = mirrored.value(), .allowHttp = http});
        }
    }
    return mirrors;
}

namespace {

Result<std::unique_ptr<RegistryClient>> clientWith(const QString &registry,
                                                   const std::optional<Credential> &credential,
                                                   const QString &dataDirOption, bool allowHttp = false)
{
    Result<bool> insecure = isMarkedInsecure(registry);
    if (!insecure)
        return insecure.error();
    auto client =
        std::make_unique<RegistryClient>(registry, credential, registryCaFile(registry, dataDirOption),
                                         allowHttp || *insecure || isInsecureByDefault(registry));
    RegistrySettings settings;
    settings.uploadJournal = DataDirs::resolve(dataDirOption).cache + QStringLiteral("/uploads");
    client->setSettings(settings);
    return client;
}

} // namespace

Result<std::unique_ptr<RegistryClient>> openRegistryClient(const QString &registry,
                                                           const QString &dataDirOption, bool allowHttp)
{
    auto credential = CredentialStore::fromEnvironment(dataDirOption).find(registry);
    if (!credential)
        return credential.error();
    return clientWith(registry, credential.value(), dataDirOption, allowHttp);
}

Result<PushResult> pushToRegistry(const BlobSource &blobs, const QString &manifestDigest,
                                  const QString &reference, const QString &dataDirOption, EventSink *events,
                                  std::stop_token stop, const PushOptions &options)
{
    auto destination = ImageReference::parse(reference);
    if (!destination)
        return destination.error();
    auto client = openRegistryClient(destination->registry, dataDirOption);
    if (!client)
        return client.error();
    return pushImage(blobs, manifestDigest, destination.value(), *client.value(), events, std::move(stop),
                     options);
}

QString registryFromUserInput(const QString &text)
{
    static const QRegularExpression hostAndPort(QRegularExpression::anchoredPattern(QStringLiteral(
        "(?:\\[[0-9A-Fa-f:.]+\\]|[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?)(?::[0-9]{1,5})?")));
    QString name = text.trimmed();
    for (const QString &scheme : {QStringLiteral("https://"), QStringLiteral("http://")}) {
        if (name.startsWith(scheme))
            name = name.mid(scheme.size());
    }
    name = name.left(name.indexOf(u'/'));
    if (name == u"index.docker.io" || name == u"registry-1.docker.io")
        return QStringLiteral("docker.io");
    return hostAndPort.match(name).hasMatch() ? name : QString();
}

Status checkLogin(const QString &registry, const Credential &credential, const QString &dataDirOption,
                  std::stop_token stop)
{
    auto client = clientWith(registry, credential, dataDirOption);
    if (!client)
        return client.error();
    client.value()->setStopToken(std::move(stop));
    Status pinged = client.value()->ping();
    if (pinged)
        return pinged;
    const QString &message = pinged.error().message;
    return Error{
        pinged.error().kind,
        message.contains(registry)
            ? QStringLiteral("login refused, nothing saved: ") + message
            : QStringLiteral("login to registry %1 refused, nothing saved: %2").arg(registry, message)};
}

} // namespace slipway
