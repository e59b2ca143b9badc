#include "source/gitmirror.h"

#include "events/event.h"
#include "source/gitutil.h"
#include "source/knownhosts.h"
#include "util/logging.h"
#include "util/sha256.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QLockFile>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QUrl>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include <pwd.h>
#include <unistd.h>

namespace slipway {

namespace {

const QString kStage = QStringLiteral("fetch");
constexpr qint64 kEventIntervalMs = 100;

bool isScpLike(const QString &location)
{
    // user@host:path, where no '/' comes before the ':' (git's own rule for scp syntax).
    static const QRegularExpression scp(QStringLiteral("^[^/@:\\s]+@[^/:\\s]+:"));
    return scp.match(location).hasMatch();
}

QString urlScheme(const QString &location)
{
    static const QRegularExpression scheme(QStringLiteral("^([A-Za-z][A-Za-z0-9+.-]*)://"));
    const QRegularExpressionMatch match = scheme.match(location);
    return match.hasMatch() ? match.captured(1).toLower() : QString();
}

bool isSshUrl(const QString &url)
{
    const QString scheme = urlScheme(url);
    return scheme == QLatin1String("ssh") || scheme == QLatin1String("ssh+git") ||
           scheme == QLatin1String("git+ssh") || (scheme.isEmpty() && isScpLike(url));
}

QString localUserName()
{
    if (const passwd *entry = ::getpwuid(::geteuid()))
        return QString::fromLocal8Bit(entry->pw_name);
    return qEnvironmentVariable("USER");
}

// Host and port of an ssh URL, for the known_hosts lookup (libgit2 1.5 passes only the host).
struct SshEndpoint
{
    QString host;
    int port = 22;
};

SshEndpoint sshEndpoint(const QString &url)
{
    if (!urlScheme(url).isEmpty()) {
        const QUrl parsed(url);
        return {parsed.host(), parsed.port(22)};
    }
    // user@host:path
    const qsizetype at = url.indexOf(QLatin1Char('@'));
    const qsizetype colon = url.indexOf(QLatin1Char(':'), at + 1);
    return {url.mid(at + 1, colon - at - 1), 22};
}

// What the remote callbacks share for one clone or fetch.
struct FetchContext
{
    QString url; // for messages
    EventSink *events = nullptr;
    std::stop_token stop;
    QElapsedTimer sinceEvent;
    FetchEvent lastEvent;
    bool cancelled = false;
    QString failure; // a message of ours that explains the failure better than libgit2's

    // ssh
    SshEndpoint endpoint;
    int credentialAttempt = 0;
    QStringList triedCredentials;

    bool shouldStop()
    {
        if (stop.stop_requested())
            cancelled = true;
        return cancelled;
    }

    void postProgress(const git_indexer_progress &stats, bool force)
    {
        lastEvent.source = url;
        lastEvent.receivedObjects = stats.received_objects;
        lastEvent.totalObjects = stats.total_objects;
        lastEvent.receivedBytes = qint64(stats.received_bytes);
        if (!events)
            return;
        if (!force && sinceEvent.isValid() && sinceEvent.elapsed() < kEventIntervalMs)
            return;
        sinceEvent.start();
        events->post(lastEvent);
    }
};

int onTransferProgress(const git_indexer_progress *stats, void *payload)
{
    auto *context = static_cast<FetchContext *>(payload);
    if (context->shouldStop())
        return -1;
    context->postProgress(*stats, false);
    return 0;
}

int onSidebandProgress(const char *, int, void *payload)
{
    return static_cast<FetchContext *>(payload)->shouldStop() ? -1 : 0;
}

int refuse(FetchContext *context, const QString &message)
{
    context->failure = message;
    git_error_set_str(GIT_ERROR_SSH, message.toUtf8().constData());
    return GIT_ECERTIFICATE;
}

int onCertificateCheck(git_cert *cert, int valid, const char *host, void *payload)
{
    auto *context = static_cast<FetchContext *>(payload);
    if (context->shouldStop())
        return -1;
    if (cert->cert_type != GIT_CERT_HOSTKEY_LIBSSH2)
        return valid ? 0 : GIT_PASSTHROUGH; // TLS: libgit2's own verification decides
    const auto *hostKey = reinterpret_cast<const git_cert_hostkey *>(cert);
    const QString hostName = host ? QString::fromUtf8(host) : context->endpoint.host;
    const QString field = KnownHosts::hostField(hostName, context->endpoint.port);
    if (!(hostKey->type & GIT_CERT_SSH_RAW) || !hostKey->hostkey)
        return refuse(context, QStringLiteral("the ssh host key of %1 cannot be checked").arg(field));
    const QString dir = sshDirectory();
    const KnownHosts knownHosts(
        {dir + QStringLiteral("/known_hosts"), QStringLiteral("/etc/ssh/ssh_known_hosts")});
    const QByteArray key(hostKey->hostkey, qsizetype(hostKey->hostkey_len));
    switch (knownHosts.check(hostName, context->endpoint.port, key)) {
    case KnownHosts::Verdict::Trusted:
        return 0;
    case KnownHosts::Verdict::Unknown:
        return refuse(context,
                      QStringLiteral("the ssh host key of %1 (%2) is not in %3/known_hosts; connect once "
                                     "with ssh to check and record it")
                          .arg(field, QString::fromLatin1(KnownHosts::keyType(key)), dir));
    case KnownHosts::Verdict::Changed:
        return refuse(context, QStringLiteral("the ssh host key of %1 differs from the one in %2/known_hosts "
                                              "(it may have been replaced, or someone is intercepting)")
                                   .arg(field, dir));
    case KnownHosts::Verdict::Revoked:
        return refuse(context, QStringLiteral("the ssh host key of %1 is revoked in known_hosts").arg(field));
    }
    return -1;
}

int onCredentials(git_credential **out, const char *, const char *usernameFromUrl, unsigned int allowedTypes,
                  void *payload)
{
    auto *context = static_cast<FetchContext *>(payload);
    if (context->shouldStop())
        return -1;
    const QByteArray user =
        (usernameFromUrl && *usernameFromUrl) ? QByteArray(usernameFromUrl) : localUserName().toUtf8();
    if (allowedTypes & GIT_CREDENTIAL_USERNAME)
        return git_credential_username_new(out, user.constData());
    if (allowedTypes & GIT_CREDENTIAL_SSH_KEY) {
        // libgit2 asks again after each rejected credential: the agent first, then key files.
        const bool haveAgent = !qEnvironmentVariableIsEmpty("SSH_AUTH_SOCK");
        int attempt = context->credentialAttempt++;
        if (haveAgent && attempt == 0) {
            context->triedCredentials.append(QStringLiteral("ssh-agent"));
            return git_credential_ssh_key_from_agent(out, user.constData());
        }
        if (haveAgent)
            --attempt;
        const QString dir = sshDirectory();
        int keyIndex = 0;
        for (const QString &name :
             {QStringLiteral("id_ed25519"), QStringLiteral("id_ecdsa"), QStringLiteral("id_rsa")}) {
            const QString privateKey = dir + u'/' + name;
            if (!QFileInfo::exists(privateKey))
                continue;
            if (keyIndex++ != attempt)
                continue;
            context->triedCredentials.append(privateKey);
            const QString publicKey = privateKey + QStringLiteral(".pub");
            const QByteArray publicPath =
                QFileInfo::exists(publicKey) ? QFile::encodeName(publicKey) : QByteArray();
            return git_credential_ssh_key_new(out, user.constData(),
                                              publicPath.isEmpty() ? nullptr : publicPath.constData(),
                                              QFile::encodeName(privateKey).constData(), nullptr);
        }
        const QString tried =
            context->triedCredentials.isEmpty()
                ? QStringLiteral("no ssh-agent (SSH_AUTH_SOCK) and no key in %1").arg(dir)
                : QStringLiteral("tried %1").arg(context->triedCredentials.join(QStringLiteral(", ")));
        context->failure = QStringLiteral("ssh authentication as %1 failed (%2; keys with a passphrase need "
                                          "ssh-agent)")
                               .arg(QString::fromUtf8(user), tried);
        git_error_set_str(GIT_ERROR_SSH, context->failure.toUtf8().constData());
        return -1;
    }
    context->failure = QStringLiteral("the server asks for a user name and password, which Slipway cannot "
                                      "supply for git yet; use an ssh:// URL or one with credentials in it");
    git_error_set_str(GIT_ERROR_NET, context->failure.toUtf8().constData());
    return -1;
}

Error fetchError(const FetchContext &context, int code)
{
    if (context.cancelled || context.stop.stop_requested())
        return Error::cancelled(QStringLiteral("fetching %1 was cancelled").arg(context.url));
    const QString reason = context.failure.isEmpty() ? git::lastErrorMessage() : context.failure;
    qCDebug(lcSource) << "fetch of" << context.url << "failed with" << code << reason;
    return Error::failed(QStringLiteral("cannot fetch %1: %2").arg(context.url, reason));
}

QString sizeText(qint64 bytes)
{
    if (bytes < 1024 * 1024)
        return QStringLiteral("%1 KiB").arg(double(bytes) / 1024, 0, 'f', 1);
    return QStringLiteral("%1 MiB").arg(double(bytes) / (1024 * 1024), 0, 'f', 1);
}

constexpr const char *kMirrorRefspec = "+refs/*:refs/*";

// Fetches every ref of the remote into the same name (+refs/*:refs/*), prunes refs the remote no
// longer has, and points HEAD at the remote's default branch.
//
// The remote is an in-memory one made from the URL each time, not "origin" looked up in the
// mirror's config: the mirror belongs to exactly this URL, and libgit2 1.5 leaks a regex match
// for every config lookup of a remote (its pcre2 git_regexp_search never frees its match data).
// url.<base>.insteadOf rewriting is skipped for the same reason, and because the mirror is named
// after the URL as given.
Status fetchMirror(git_repository *repository, const SourceOptions &options, const QString &display)
{
    git::RemotePtr remote;
    {
        git_remote_create_options createOptions = GIT_REMOTE_CREATE_OPTIONS_INIT;
        createOptions.repository = repository;
        createOptions.fetchspec = kMirrorRefspec;
        createOptions.flags = GIT_REMOTE_CREATE_SKIP_INSTEADOF | GIT_REMOTE_CREATE_SKIP_DEFAULT_FETCHSPEC;
        git_remote *raw = nullptr;
        if (git_remote_create_with_opts(&raw, options.location.toUtf8().constData(), &createOptions) < 0)
            return Error::failed(QStringLiteral("cannot fetch %1: %2").arg(display, git::lastErrorMessage()));
        remote.reset(raw);
    }

    FetchContext context;
    context.url = display;
    context.events = options.events;
    context.stop = options.stop;
    if (isSshUrl(options.location))
        context.endpoint = sshEndpoint(options.location);

    git_fetch_options fetchOptions = GIT_FETCH_OPTIONS_INIT;
    fetchOptions.callbacks.transfer_progress = onTransferProgress;
    fetchOptions.callbacks.sideband_progress = onSidebandProgress;
    fetchOptions.callbacks.certificate_check = onCertificateCheck;
    fetchOptions.callbacks.credentials = onCredentials;
    fetchOptions.callbacks.payload = &context;
    fetchOptions.prune = GIT_FETCH_PRUNE;
    fetchOptions.update_fetchhead = 0;
    fetchOptions.proxy_opts.type = GIT_PROXY_AUTO;

    if (context.shouldStop())
        return fetchError(context, 0);
    if (const int code = git_remote_fetch(remote.get(), nullptr, &fetchOptions, "slipway: fetch"); code < 0)
        return fetchError(context, code);

    const git_indexer_progress *stats = git_remote_stats(remote.get());
    context.postProgress(*stats, true);

    git::Buffer defaultBranch;
    if (git_remote_default_branch(&defaultBranch.buf, remote.get()) == 0) {
        const QByteArray head(defaultBranch.buf.ptr, qsizetype(defaultBranch.buf.size));
        if (git_repository_set_head(repository, head.constData()) < 0)
            return Error::failed(QStringLiteral("cannot point the mirror of %1 at %2: %3")
                                     .arg(display, QString::fromUtf8(head), git::lastErrorMessage()));
    }
    if (options.events) {
        options.events->log(LogLevel::Info, kStage,
                            stats->received_objects ? QStringLiteral("Fetched %1: %2 objects, %3")
                                                          .arg(display)
                                                          .arg(stats->received_objects)
                                                          .arg(sizeText(qint64(stats->received_bytes)))
                                                    : QStringLiteral("%1 is up to date").arg(display));
    }
    return success();
}

Result<git::RepositoryPtr> openMirror(const QString &path)
{
    git_repository *raw = nullptr;
    if (git_repository_open_bare(&raw, QFile::encodeName(path).constData()) < 0)
        return Error::failed(git::lastErrorMessage());
    return git::RepositoryPtr(raw);
}

Status cloneMirror(const QString &path, const SourceOptions &options, const QString &display)
{
    const QFileInfo target(path);
    // We hold the lock: temporary directories of this mirror are leftovers of a killed clone.
    QDir parent = target.dir();
    const QString tempPrefix = target.fileName() + QStringLiteral(".tmp-");
    for (const QString &stale : parent.entryList({tempPrefix + u'*'}, QDir::Dirs | QDir::Hidden)) {
        qCInfo(lcSource) << "removing an interrupted clone" << parent.filePath(stale);
        QDir(parent.filePath(stale)).removeRecursively();
    }

    QTemporaryDir temp(parent.filePath(tempPrefix + QStringLiteral("XXXXXX")));
    if (!temp.isValid())
        return Error::failed(QStringLiteral("cannot create a directory for the mirror of %1 in %2: %3")
                                 .arg(display, parent.path(), temp.errorString()));
    {
        git::RepositoryPtr repository;
        git_repository *raw = nullptr;
        if (git_repository_init(&raw, QFile::encodeName(temp.path()).constData(), 1) < 0)
            return Error::failed(QStringLiteral("cannot create the mirror of %1 in %2: %3")
                                     .arg(display, temp.path(), git::lastErrorMessage()));
        repository.reset(raw);
        // For people looking into the cache: `git -C MIRROR fetch` does what Slipway does.
        git_config *config = nullptr;
        if (git_repository_config(&config, repository.get()) == 0) {
            git_config_set_string(config, "remote.origin.url", options.location.toUtf8().constData());
            git_config_set_string(config, "remote.origin.fetch", kMirrorRefspec);
            git_config_set_bool(config, "remote.origin.mirror", 1);
            git_config_free(config);
        }
        if (Status fetched = fetchMirror(repository.get(), options, display); !fetched)
            return fetched.error();
    }
    if (::rename(QFile::encodeName(temp.path()).constData(), QFile::encodeName(path).constData()) != 0)
        return Error::failed(QStringLiteral("cannot move the mirror of %1 into place at %2: %3")
                                 .arg(display, path, QString::fromLocal8Bit(std::strerror(errno))));
    temp.setAutoRemove(false);
    return success();
}

} // namespace

bool isGitUrl(const QString &location)
{
    return !urlScheme(location).isEmpty() || isScpLike(location);
}

QString displayUrl(const QString &url)
{
    if (urlScheme(url).isEmpty())
        return url;
    const QUrl parsed(url);
    if (!parsed.isValid() || parsed.password().isEmpty())
        return url;
    return parsed.toString(QUrl::RemovePassword);
}

QString sourceIdentity(const QString &location)
{
    QString host;
    QString path;
    const QString scheme = urlScheme(location);
    if (scheme == u"file") {
        return sourceIdentity(QUrl(location).toLocalFile());
    } else if (!scheme.isEmpty()) {
        const QUrl parsed(location);
        host = parsed.host().toLower();
        path = parsed.path();
    } else if (isScpLike(location)) {
        const qsizetype at = location.indexOf(u'@');
        const qsizetype colon = location.indexOf(u':', at);
        host = location.mid(at + 1, colon - at - 1).toLower();
        path = location.mid(colon + 1);
    } else {
        const QString absolute = QDir::cleanPath(QFileInfo(location).absoluteFilePath());
        git::ensureInitialized();
        git_repository *repository = nullptr;
        QString origin;
        if (git_repository_open_ext(&repository, absolute.toUtf8().constData(), GIT_REPOSITORY_OPEN_NO_SEARCH,
                                    nullptr) == 0) {
            // The configured URL, read as it is: git_remote_lookup would also apply insteadOf
            // rules, and libgit2 1.5 leaks its regex match data there.
            git_config *config = nullptr;
            if (git_repository_config_snapshot(&config, repository) == 0) {
                const char *url = nullptr;
                if (git_config_get_string(&url, config, "remote.origin.url") == 0 && url)
                    origin = QString::fromUtf8(url);
                git_config_free(config);
            }
            git_repository_free(repository);
        }
        return isGitUrl(origin) && urlScheme(origin) != u"file" ? sourceIdentity(origin) : absolute;
    }
    while (path.startsWith(u'/'))
        path.remove(0, 1);
    while (path.endsWith(u'/'))
        path.chop(1);
    if (path.endsWith(QLatin1String(".git")))
        path.chop(4);
    return host + u'/' + path;
}

QString mirrorPath(const QString &cacheDir, const QString &url)
{
    QString path = urlScheme(url).isEmpty() ? url.mid(url.indexOf(u':') + 1) : QUrl(url).path();
    while (path.endsWith(u'/'))
        path.chop(1);
    QString name = path.mid(path.lastIndexOf(u'/') + 1);
    if (name.endsWith(QLatin1String(".git")))
        name.chop(4);
    static const QRegularExpression unsafe(QStringLiteral("[^A-Za-z0-9._-]"));
    name.replace(unsafe, QStringLiteral("_"));
    if (name.isEmpty() || name.startsWith(u'.'))
        name.prepend(QStringLiteral("repo"));
    const QString hash = Sha256::hexOf(url.toUtf8()).left(16);
    return QDir(cacheDir).filePath(QStringLiteral("git/%1-%2.git").arg(name, hash));
}

QString sshDirectory()
{
    const QString overridden = qEnvironmentVariable("SLIPWAY_SSH_DIR");
    if (!overridden.isEmpty())
        return overridden;
    return QDir::homePath() + QStringLiteral("/.ssh");
}

Result<QString> updateMirror(const SourceOptions &options)
{
    git::ensureInitialized();
    const QString display = displayUrl(options.location);
    const QString scheme = urlScheme(options.location);
    static const QStringList schemes{
        QStringLiteral("https"), QStringLiteral("http"),    QStringLiteral("ssh"),    QStringLiteral("git"),
        QStringLiteral("file"),  QStringLiteral("ssh+git"), QStringLiteral("git+ssh")};
    if (!scheme.isEmpty() && !schemes.contains(scheme))
        return Error::badInput(
            QStringLiteral("%1: unsupported URL scheme '%2' (use https, http, ssh, git or file)")
                .arg(display, scheme));
    if (isSshUrl(options.location) && !(git_libgit2_features() & GIT_FEATURE_SSH))
        return Error::failed(
            QStringLiteral("cannot fetch %1: this libgit2 was built without ssh support").arg(display));
    if (options.cacheDir.isEmpty())
        return Error::failed(
            QStringLiteral("cannot fetch %1: no cache directory to keep its mirror in").arg(display));

    const QString path = mirrorPath(options.cacheDir, options.location);
    if (!QDir().mkpath(QFileInfo(path).path()))
        return Error::failed(QStringLiteral("cannot create %1").arg(QFileInfo(path).path()));

    // One clone or fetch of a mirror at a time, across threads and processes.
    QLockFile lock(path + QStringLiteral(".lock"));
    lock.setStaleLockTime(0); // stale only when its owner is gone, however long a clone takes
    bool announced = false;
    while (!lock.tryLock(200)) {
        if (lock.error() == QLockFile::PermissionError || lock.error() == QLockFile::UnknownError)
            return Error::failed(QStringLiteral("cannot lock %1.lock").arg(path));
        if (options.stop.stop_requested())
            return Error::cancelled(QStringLiteral("fetching %1 was cancelled").arg(display));
        if (!announced && options.events)
            options.events->log(LogLevel::Info, kStage,
                                QStringLiteral("Waiting for another fetch of %1 to finish").arg(display));
        announced = true;
    }

    if (QFileInfo::exists(path)) {
        Result<git::RepositoryPtr> mirror = openMirror(path);
        if (mirror) {
            qCDebug(lcSource) << "fetching" << display << "into" << path;
            if (options.events)
                options.events->log(LogLevel::Info, kStage, QStringLiteral("Fetching %1").arg(display));
            if (Status fetched = fetchMirror(mirror->get(), options, display); !fetched)
                return fetched.error();
            return path;
        }
        // A mirror we cannot open is useless; a fresh clone replaces it.
        qCWarning(lcSource) << "the mirror" << path
                            << "is unusable, cloning again:" << mirror.error().message;
        if (options.events)
            options.events->log(LogLevel::Warning, kStage,
                                QStringLiteral("The mirror of %1 is unusable (%2); cloning it again")
                                    .arg(display, mirror.error().message));
        if (!QDir(path).removeRecursively())
            return Error::failed(QStringLiteral("cannot remove the unusable mirror %1").arg(path));
    }
    qCDebug(lcSource) << "cloning" << display << "into" << path;
    if (options.events)
        options.events->log(LogLevel::Info, kStage, QStringLiteral("Cloning %1").arg(display));
    if (Status cloned = cloneMirror(path, options, display); !cloned)
        return cloned.error();
    return path;
}

} // namespace slipway
