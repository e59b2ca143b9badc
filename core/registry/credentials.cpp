#include "credentials.h"

#include "savedcredentials.h"

#include "util/logging.h"

#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QStandardPaths>

namespace slipway {
namespace {

using Found = std::optional<Credential>;

const QString dockerHub = QStringLiteral("docker.io");
// Where `docker login` files Docker Hub logins.
const QString dockerHubServer = QStringLiteral("https://index.docker.io/v1/");

bool isDockerHubHost(const QString &host)
{
    return host == dockerHub || host == QStringLiteral("index.docker.io") ||
           host == QStringLiteral("registry-1.docker.io");
}

// The host a key of `auths` or `credHelpers` names. Docker accepts URLs there and uses only
// their host; a key with a path but no scheme is Podman's per-repository entry, which a lookup
// for the whole registry does not use.
QString keyHost(const QString &key)
{
    for (const QString &scheme : {QStringLiteral("https://"), QStringLiteral("http://")}) {
        if (key.startsWith(scheme)) {
            const QString rest = key.mid(scheme.size());
            return rest.left(rest.indexOf(u'/'));
        }
    }
    return key;
}

// The key under which `object` holds the registry: an exact key first, then the spellings
// Docker writes, then any URL whose host is the registry.
std::optional<QString> findKey(const QJsonObject &object, const QString &registry)
{
    QStringList preferred{registry};
    if (registry == dockerHub)
        preferred << dockerHubServer;
    preferred << QStringLiteral("https://") + registry << QStringLiteral("http://") + registry
              << QStringLiteral("https://") + registry + QStringLiteral("/v1/");
    for (const QString &key : std::as_const(preferred)) {
        if (object.contains(key))
            return key;
    }
    for (auto it = object.begin(); it != object.end(); ++it) {
        const QString host = keyHost(it.key());
        if (host == registry || (registry == dockerHub && isDockerHubHost(host)))
            return it.key();
    }
    return std::nullopt;
}

// A helper is found through PATH by its name; a path would run whatever the file points at.
bool isHelperName(const QString &name)
{
    return !name.isEmpty() && !name.contains(u'/') && name != QStringLiteral(".") &&
           name != QStringLiteral("..");
}

QString firstLine(const QByteArray &output)
{
    const QString text = QString::fromUtf8(output).trimmed();
    return text.left(text.indexOf(u'\n')).trimmed().left(200);
}

// The docker-credential-helpers protocol: `get` with the server on stdin; JSON
// {"ServerURL","Username","Secret"} on stdout, or "credentials not found" and exit status 1.
Result<Found> runHelper(const QString &helper, const QString &server, const QString &registry,
                        std::chrono::milliseconds timeout)
{
    const QString program = QStringLiteral("docker-credential-") + helper;
    const QString path = QStandardPaths::findExecutable(program);
    if (path.isEmpty())
        return Error::failed(
            QStringLiteral("credential helper %1 for registry %2 is not installed (not found in PATH)")
                .arg(program, registry));

    QProcess process;
    process.setProgram(path);
    process.setArguments({QStringLiteral("get")});
    process.start();
    if (!process.waitForStarted(static_cast<int>(timeout.count())))
        return Error::failed(QStringLiteral("cannot start credential helper %1 for registry %2: %3")
                                 .arg(program, registry, process.errorString()));
    process.write(server.toUtf8());
    process.closeWriteChannel();
    if (!process.waitForFinished(static_cast<int>(timeout.count()))) {
        process.kill();
        process.waitForFinished();
        return Error::failed(QStringLiteral("credential helper %1 did not answer within %2 s for registry %3")
                                 .arg(program)
                                 .arg(static_cast<double>(timeout.count()) / 1000.0)
                                 .arg(registry));
    }
    const QByteArray output = process.readAllStandardOutput();
    const QByteArray errors = process.readAllStandardError();
    if (process.exitStatus() != QProcess::NormalExit)
        return Error::failed(
            QStringLiteral("credential helper %1 crashed looking up registry %2").arg(program, registry));
    if (output.contains("credentials not found") || output.contains("Credentials not found")) {
        qCDebug(lcRegistry) << program << "has no credentials for" << registry;
        return Found{};
    }
    if (process.exitCode() != 0) {
        // The helper's own words help (a locked keychain, a missing D-Bus), but output that
        // looks like JSON could hold a secret, so only a plain message is quoted.
        QString message = firstLine(errors);
        if (message.isEmpty() && !output.trimmed().startsWith('{'))
            message = firstLine(output);
        QString text = QStringLiteral("credential helper %1 failed for registry %2 (exit status %3)")
                           .arg(program, registry)
                           .arg(process.exitCode());
        if (!message.isEmpty())
            text += QStringLiteral(": ") + message;
        return Error::failed(text);
    }

    QJsonParseError parseError;
    const QJsonDocument document = QJsonDocument::fromJson(output, &parseError);
    if (parseError.error != QJsonParseError::NoError || !document.isObject())
        return Error::failed(
            QStringLiteral("credential helper %1 gave an answer for registry %2 that is not a JSON object")
                .arg(program, registry));
    const QJsonObject answer = document.object();
    Credential credential;
    credential.username = answer.value(QStringLiteral("Username")).toString();
    credential.secret = answer.value(QStringLiteral("Secret")).toString();
    // Docker's convention: the user name "<token>" marks an identity token.
    if (credential.username == QStringLiteral("<token>")) {
        credential.username.clear();
        credential.isIdentityToken = true;
    }
    if (credential.secret.isEmpty())
        return Found{};
    qCDebug(lcRegistry) << "credentials for" << registry << "from" << program;
    return Found{std::move(credential)};
}

// The file's JSON object, or nothing when there is no such file.
Result<std::optional<QJsonObject>> readConfig(const QString &path)
{
    QFile file(path);
    if (!file.exists())
        return std::optional<QJsonObject>{};
    if (!file.open(QIODevice::ReadOnly))
        return Error::failed(QStringLiteral("cannot read %1: %2").arg(path, file.errorString()));
    const QByteArray bytes = file.readAll();
    // Docker accepts an empty file.
    if (bytes.trimmed().isEmpty())
        return std::optional<QJsonObject>{QJsonObject{}};
    QJsonParseError parseError;
    const QJsonDocument document = QJsonDocument::fromJson(bytes, &parseError);
    if (parseError.error != QJsonParseError::NoError)
        return Error::badInput(QStringLiteral("%1 is not valid JSON: %2 at offset %3")
                                   .arg(path, parseError.errorString())
                                   .arg(parseError.offset));
    if (!document.isObject())
        return Error::badInput(QStringLiteral("%1 is not valid: expected a JSON object").arg(path));
    return std::optional<QJsonObject>{document.object()};
}

Result<Found> fromAuthEntry(const QString &path, const QString &key, const QJsonObject &entry)
{
    Credential credential;
    credential.username = entry.value(QStringLiteral("username")).toString();
    credential.secret = entry.value(QStringLiteral("password")).toString();
    const QString auth = entry.value(QStringLiteral("auth")).toString().trimmed();
    if (!auth.isEmpty()) {
        const auto decoded =
            QByteArray::fromBase64Encoding(auth.toLatin1(), QByteArray::AbortOnBase64DecodingErrors);
        const qsizetype colon = decoded ? decoded.decoded.indexOf(':') : -1;
        if (colon < 0)
            return Error::badInput(
                QStringLiteral("%1: the \"auth\" value of \"%2\" is not base64 of \"user:password\"")
                    .arg(path, key));
        credential.username = QString::fromUtf8(decoded.decoded.left(colon));
        credential.secret = QString::fromUtf8(decoded.decoded.mid(colon + 1));
    }
    const QString token = entry.value(QStringLiteral("identitytoken")).toString();
    if (!token.isEmpty()) {
        credential.secret = token;
        credential.isIdentityToken = true;
    }
    if (credential.secret.isEmpty())
        return Found{};
    return Found{std::move(credential)};
}

Result<Found> lookUp(const QString &path, const QJsonObject &config, const QString &registry,
                     bool useCredsStore, std::chrono::milliseconds timeout)
{
    const QJsonObject auths = config.value(QStringLiteral("auths")).toObject();
    const std::optional<QString> authKey = findKey(auths, registry);
    const QString defaultServer = registry == dockerHub ? dockerHubServer : registry;

    const QJsonObject helpers = config.value(QStringLiteral("credHelpers")).toObject();
    if (const std::optional<QString> key = findKey(helpers, registry)) {
        const QString helper = helpers.value(*key).toString();
        if (!isHelperName(helper))
            return Error::badInput(QStringLiteral("%1: the credential helper for \"%2\" must be a name like "
                                                  "\"pass\" (docker-credential-pass)")
                                       .arg(path, *key));
        return runHelper(helper, defaultServer, registry, timeout);
    }
    // With a store, `auths` only lists the servers logged in to; the store has the secrets.
    const QString store = config.value(QStringLiteral("credsStore")).toString();
    if (useCredsStore && !store.isEmpty()) {
        if (!isHelperName(store))
            return Error::badInput(QStringLiteral("%1: \"credsStore\" must be a name like \"pass\" "
                                                  "(docker-credential-pass)")
                                       .arg(path));
        return runHelper(store, authKey.value_or(defaultServer), registry, timeout);
    }
    if (!authKey)
        return Found{};
    Result<Found> found = fromAuthEntry(path, *authKey, auths.value(*authKey).toObject());
    if (found && found.value())
        qCDebug(lcRegistry) << "credentials for" << registry << "from" << path;
    return found;
}

} // namespace

CredentialStore::CredentialStore(QStringList podmanAuthFiles, QString dockerConfigFile)
    : m_podmanAuthFiles(std::move(podmanAuthFiles))
    , m_dockerConfigFile(std::move(dockerConfigFile))
{}

CredentialStore CredentialStore::fromEnvironment(const QString &dataDirOption)
{
    QStringList podman;
    if (const QString authFile = qEnvironmentVariable("REGISTRY_AUTH_FILE"); !authFile.isEmpty()) {
        podman << authFile;
    } else {
        if (const QString runtime = qEnvironmentVariable("XDG_RUNTIME_DIR"); !runtime.isEmpty())
            podman << runtime + QStringLiteral("/containers/auth.json");
        QString config = qEnvironmentVariable("XDG_CONFIG_HOME");
        if (config.isEmpty())
            config = QDir::homePath() + QStringLiteral("/.config");
        podman << config + QStringLiteral("/containers/auth.json");
    }
    QString docker = qEnvironmentVariable("DOCKER_CONFIG");
    if (docker.isEmpty())
        docker = QDir::homePath() + QStringLiteral("/.docker");
    CredentialStore store(podman, docker + QStringLiteral("/config.json"));
    store.setSavedLogins(SavedCredentials::forDataDir(dataDirOption).indexFile());
    return store;
}

Result<std::optional<Credential>> CredentialStore::find(const QString &registry) const
{
    const auto search = [&](const QString &path, bool useCredsStore) -> Result<Found> {
        Result<std::optional<QJsonObject>> config = readConfig(path);
        if (!config)
            return config.error();
        if (!config.value())
            return Found{};
        return lookUp(path, *config.value(), registry, useCredsStore, m_helperTimeout);
    };
    if (!m_savedLoginsIndex.isEmpty()) {
        SavedCredentials saved(m_savedLoginsIndex);
        saved.setTimeout(m_helperTimeout);
        Result<Found> found = saved.find(registry);
        if (!found || found.value())
            return found;
    }
    for (const QString &path : m_podmanAuthFiles) {
        Result<Found> found = search(path, false);
        if (!found || found.value())
            return found;
    }
    if (m_dockerConfigFile.isEmpty())
        return Found{};
    return search(m_dockerConfigFile, true);
}

} // namespace slipway
