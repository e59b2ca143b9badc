#include "engine/engineimages.h"

#include "engine/engineconnection.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QUrl>
#include <QUrlQuery>

#include <cerrno>
#include <thread>

#include <sys/socket.h>
#include <unistd.h>

namespace slipway {
namespace {

QByteArray toBase64Url(const QByteArray &bytes)
{
    return bytes.toBase64(QByteArray::Base64UrlEncoding);
}

// Streamed progress answers (pull, load) are a series of JSON objects; an {"error": ...} in
// any of them is the failure, whatever the HTTP status said.
QString streamError(const QByteArray &body)
{
    QString error;
    for (const QByteArray &line : body.split('\n')) {
        const QJsonObject json = QJsonDocument::fromJson(line.trimmed()).object();
        if (json.contains(QStringLiteral("error"))) {
            const QJsonValue value = json.value(QStringLiteral("error"));
            error = value.isString() ? value.toString()
                                     : json.value(QStringLiteral("errorDetail"))
                                           .toObject()
                                           .value(QStringLiteral("message"))
                                           .toString();
            if (error.isEmpty())
                error = QString::fromUtf8(QJsonDocument(value.toObject()).toJson(QJsonDocument::Compact));
        }
    }
    return error.simplified();
}

} // namespace

// A pull's answer is a progress stream; an error in it is the pull's failure.
Status EngineImages::streamed(const EngineConnection::Request &request, const QString &what)
{
    auto reply = m_connection.expect(request, what, {200});
    if (!reply)
        return reply.error();
    if (const QString error = streamError(reply->body); !error.isEmpty())
        return Error::failed(QStringLiteral("%1: %2: %3").arg(m_connection.where(), what, error));
    return success();
}

Status EngineImages::pull(const QString &reference, const std::optional<Credential> &credential,
                          const QString &registry)
{
    QUrlQuery query;
    query.addQueryItem(QStringLiteral("fromImage"), reference);
    EngineConnection::Request request;
    request.method = "POST";
    request.path = QStringLiteral("/images/create?") + query.toString(QUrl::FullyEncoded);
    request.timeoutSeconds = 0;
    if (credential)
        request.headers.append("X-Registry-Auth: " + registryAuth(*credential, registry));
    return streamed(request, QStringLiteral("pull %1").arg(reference));
}

QByteArray EngineImages::registryAuth(const Credential &credential, const QString &registry)
{
    QJsonObject auth;
    if (credential.isIdentityToken) {
        auth.insert(QStringLiteral("identitytoken"), credential.secret);
    } else {
        auth.insert(QStringLiteral("username"), credential.username);
        auth.insert(QStringLiteral("password"), credential.secret);
    }
    auth.insert(QStringLiteral("serveraddress"), registry);
    return toBase64Url(QJsonDocument(auth).toJson(QJsonDocument::Compact));
}

Status EngineImages::pullFromLoopback(const QString &reference, const std::optional<Credential> &credential,
                                      const QString &registry)
{
    // Docker takes registries on 127.0.0.0/8 as plain HTTP by itself; Podman's compatible
    // /images/create insists on TLS, its own pull takes tlsVerify.
    if (!m_connection.isPodman())
        return pull(reference, credential, registry);
    QUrlQuery query;
    query.addQueryItem(QStringLiteral("reference"), reference);
    query.addQueryItem(QStringLiteral("tlsVerify"), QStringLiteral("false"));
    EngineConnection::Request request;
    request.method = "POST";
    request.path = QStringLiteral("/libpod/images/pull?") + query.toString(QUrl::FullyEncoded);
    request.timeoutSeconds = 0;
    if (credential)
        request.headers.append("X-Registry-Auth: " + registryAuth(*credential, registry));
    return streamed(request, QStringLiteral("pull %1").arg(reference));
}

Status EngineImages::pushToLoopback(const QString &image, const QString &repository, const QString &tag)
{
    const QString destination = repository + u':' + tag;
    const QString what = QStringLiteral("push %1 to %2").arg(image, destination);
    EngineConnection::Request request;
    request.method = "POST";
    request.timeoutSeconds = 0;
    if (m_connection.isPodman()) {
        QUrlQuery query;
        query.addQueryItem(QStringLiteral("destination"), destination);
        query.addQueryItem(QStringLiteral("tlsVerify"), QStringLiteral("false"));
        request.path = QStringLiteral("/libpod/images/%1/push?")
                           .arg(QString::fromUtf8(QUrl::toPercentEncoding(image, "/:@"))) +
                       query.toString(QUrl::FullyEncoded);
        return streamed(request, what);
    }
    if (Status tagged = this->tag(image, repository, tag); !tagged)
        return tagged;
    QUrlQuery query;
    query.addQueryItem(QStringLiteral("tag"), tag);
    request.path = QStringLiteral("/images/%1/push?")
                       .arg(QString::fromUtf8(QUrl::toPercentEncoding(repository, "/:@"))) +
                   query.toString(QUrl::FullyEncoded);
    // Docker wants the header even for a registry without auth.
    request.headers.append("X-Registry-Auth: " + toBase64Url("{}"));
    const Status pushed = streamed(request, what);
    // The push's tag goes when another name keeps the image (a tag that goes last removes it).
    auto inspected = inspect(image);
    if (inspected && inspected.value() &&
        inspected.value()->value(QStringLiteral("RepoTags")).toArray().size() > 1) {
        EngineConnection::Request untag;
        untag.method = "DELETE";
        untag.path = QStringLiteral("/images/%1?noprune=1")
                         .arg(QString::fromUtf8(QUrl::toPercentEncoding(destination, "/:@")));
        (void)m_connection.expect(untag, QStringLiteral("untag %1").arg(destination), {200});
    }
    return pushed;
}

Status EngineImages::tag(const QString &image, const QString &repository, const QString &tag)
{
    QUrlQuery query;
    query.addQueryItem(QStringLiteral("repo"), repository);
    query.addQueryItem(QStringLiteral("tag"), tag);
    EngineConnection::Request request;
    request.method = "POST";
    request.path =
        QStringLiteral("/images/%1/tag?").arg(QString::fromLatin1(QUrl::toPercentEncoding(image))) +
        query.toString(QUrl::FullyEncoded);
    auto reply = m_connection.expect(request, QStringLiteral("tag %1 as %2:%3").arg(image, repository, tag),
                                     {200, 201});
    if (!reply)
        return reply.error();
    return success();
}

Result<EngineConnection::Reply>
EngineImages::sendProduced(EngineConnection::Request request, const QString &what,
                           std::initializer_list<long> statuses,
                           const std::function<Status(const Writer &write)> &produce)
{
    // The producer pushes blocks, libcurl pulls them: a socket pair between a producer thread
    // and the transfer keeps at most a socket buffer of the body in memory. Written with
    // MSG_NOSIGNAL, so an engine that stops reading fails the write instead of raising SIGPIPE.
    int fds[2];
    if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) != 0)
        return Error::failed(
            QStringLiteral("%1: %2: cannot create a socket pair").arg(m_connection.where(), what));
    int readFd = fds[0];
    int writeFd = fds[1];
    Status produced = success();
    std::thread producer([&] {
        const Writer write = [&](const char *data, qsizetype size) -> Status {
            while (size > 0) {
                const ssize_t n = ::send(writeFd, data, size_t(size), MSG_NOSIGNAL);
                if (n < 0) {
                    if (errno == EINTR)
                        continue;
                    return Error::failed(QStringLiteral("the engine stopped reading"));
                }
                data += n;
                size -= n;
            }
            return success();
        };
        produced = produce(write);
        ::close(writeFd);
    });

    bool producerJoined = false;
    const auto joinProducer = [&] {
        if (!producerJoined) {
            producer.join();
            producerJoined = true;
        }
    };
    request.method = "POST";
    request.contentType = "application/x-tar";
    request.timeoutSeconds = 0;
    request.readBody = [&](char *buffer, qsizetype size) -> qsizetype {
        for (;;) {
            const ssize_t n = ::read(readFd, buffer, size_t(size));
            if (n < 0 && errno == EINTR)
                continue;
            if (n < 0)
                return -1;
            if (n == 0) {
                // The end of the body: only a complete one may end it normally.
                joinProducer();
                return produced ? 0 : -1;
            }
            return qsizetype(n);
        }
    };
    auto reply = m_connection.expect(request, what, statuses);
    // Unblock a producer still writing (its write fails), then wait for it.
    ::close(readFd);
    joinProducer();
    if (!produced)
        return Error(produced.error().kind,
                     QStringLiteral("%1: %2: %3").arg(m_connection.where(), what, produced.error().message));
    return reply;
}

Status EngineImages::load(const std::function<Status(const Writer &write)> &produce)
{
    EngineConnection::Request request;
    request.path = QStringLiteral("/images/load");
    auto reply = sendProduced(request, QStringLiteral("load image"), {200}, produce);
    if (!reply)
        return reply.error();
    if (const QString error = streamError(reply->body); !error.isEmpty())
        return Error::failed(QStringLiteral("%1: load image: %2").arg(m_connection.where(), error));
    return success();
}

Result<QString> EngineImages::build(const std::function<Status(const Writer &write)> &produce,
                                    const BuildOptions &options,
                                    const std::function<void(const QString &text)> &onOutput,
                                    const std::function<void(const QByteArray &statusResponse)> &onTrace)
{
    const auto toJson = [](const QMap<QString, QString> &map) {
        QJsonObject object;
        for (auto it = map.cbegin(); it != map.cend(); ++it)
            object.insert(it.key(), it.value());
        return QString::fromUtf8(QJsonDocument(object).toJson(QJsonDocument::Compact));
    };
    QUrlQuery query;
    query.addQueryItem(QStringLiteral("dockerfile"), options.dockerfile);
    if (!options.tag.isEmpty())
        query.addQueryItem(QStringLiteral("t"), options.tag);
    if (!options.target.isEmpty())
        query.addQueryItem(QStringLiteral("target"), options.target);
    if (!options.args.isEmpty())
        query.addQueryItem(QStringLiteral("buildargs"), toJson(options.args));
    if (!options.labels.isEmpty())
        query.addQueryItem(QStringLiteral("labels"), toJson(options.labels));
    // The intermediate containers go, failed ones too; Docker's classic builder.
    query.addQueryItem(QStringLiteral("rm"), QStringLiteral("1"));
    query.addQueryItem(QStringLiteral("forcerm"), QStringLiteral("1"));
    query.addQueryItem(QStringLiteral("version"),
                       options.buildKit ? QStringLiteral("2") : QStringLiteral("1"));
    // QUrlQuery leaves '+' and ';' alone, which a server reads as a space and a separator.
    QString encoded = query.toString(QUrl::FullyEncoded);
    encoded.replace(u'+', QStringLiteral("%2B")).replace(u';', QStringLiteral("%3B"));

    // The answer is a stream of JSON objects, one a line: {"stream": text} as the build goes,
    // {"aux": {"ID": id}} for the image, {"error": ...} for a failure; an error status's body
    // is one {"message": ...}.
    QByteArray pending;
    QString imageId;
    QString error;
    QString lastText;
    const auto take = [&](const QByteArray &line) {
        const QByteArray trimmed = line.trimmed();
        if (trimmed.isEmpty())
            return;
        const QJsonObject json = QJsonDocument::fromJson(trimmed).object();
        if (json.isEmpty()) {
            lastText = QString::fromUtf8(trimmed);
            return;
        }
        if (json.value(QStringLiteral("id")).toString() == u"moby.buildkit.trace") {
            if (onTrace)
                onTrace(QByteArray::fromBase64(json.value(QStringLiteral("aux")).toString().toLatin1()));
            return;
        }
        if (const QString text = json.value(QStringLiteral("stream")).toString(); !text.isEmpty()) {
            lastText = text;
            if (onOutput)
                onOutput(text);
        }
        if (const QString id =
                json.value(QStringLiteral("aux")).toObject().value(QStringLiteral("ID")).toString();
            !id.isEmpty())
            imageId = id;
        if (json.contains(QStringLiteral("error")) || json.contains(QStringLiteral("message"))) {
            const QString detail = json.value(QStringLiteral("errorDetail"))
                                       .toObject()
                                       .value(QStringLiteral("message"))
                                       .toString();
            const QString message = json.value(QStringLiteral("error")).toString();
            error = !message.isEmpty()  ? message
                    : !detail.isEmpty() ? detail
                                        : json.value(QStringLiteral("message")).toString();
        }
    };
    EngineConnection::Request request;
    request.path = QStringLiteral("/build?") + encoded;
    request.onData = [&](const char *data, qsizetype size) {
        pending.append(data, size);
        qsizetype newline;
        while ((newline = pending.indexOf('\n')) >= 0) {
            take(pending.left(newline));
            pending.remove(0, newline + 1);
        }
        return true;
    };
    const QString what = QStringLiteral("build %1").arg(options.dockerfile);
    auto reply = sendProduced(request, what, {200, 400, 404, 500}, produce);
    if (!reply)
        return reply.error();
    take(pending);
    if (error.isEmpty() && reply->status != 200)
        error = lastText.isEmpty() ? QStringLiteral("HTTP %1").arg(reply->status) : lastText.trimmed();
    if (!error.isEmpty())
        return Error::failed(
            QStringLiteral("%1: %2: %3").arg(m_connection.where(), what, error.simplified()));
    if (imageId.isEmpty())
        return Error::failed(QStringLiteral("%1: %2: the engine ended the build without naming an image")
                                 .arg(m_connection.where(), what));
    return imageId;
}

Status EngineImages::save(const QString &name,
                          const std::function<Status(const char *data, qsizetype size)> &onData)
{
    Status consumed = success();
    EngineConnection::Request request;
    request.path =
        QStringLiteral("/images/%1/get").arg(QString::fromUtf8(QUrl::toPercentEncoding(name, "/:@")));
    request.timeoutSeconds = 0;
    request.onData = [&](const char *data, qsizetype size) {
        consumed = onData(data, size);
        return bool(consumed);
    };
    const QString what = QStringLiteral("save image %1").arg(name);
    auto reply = m_connection.expect(request, what, {200});
    if (!consumed)
        return consumed;
    if (!reply)
        return reply.error();
    return success();
}

Result<std::optional<QJsonObject>> EngineImages::inspect(const QString &name)
{
    EngineConnection::Request request;
    request.path =
        QStringLiteral("/images/%1/json").arg(QString::fromUtf8(QUrl::toPercentEncoding(name, "/:@")));
    auto reply = m_connection.expect(request, QStringLiteral("inspect image %1").arg(name), {200, 404});
    if (!reply)
        return reply.error();
    if (reply->status == 404)
        return std::optional<QJsonObject>();
    return std::optional<QJsonObject>(QJsonDocument::fromJson(reply->body).object());
}

} // namespace slipway
