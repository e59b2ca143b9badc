#pragma once

#include "util/result.h"

#include <QHash>
#include <QMutex>
#include <QSet>
#include <QString>

#include <atomic>
#include <functional>
#include <list>
#include <memory>
#include <thread>

namespace slipway {

class BlobWriter;

// A registry on 127.0.0.1 over a content store, plain HTTP as engines allow for 127.0.0.0/8; a
// remote engine reaches it through an ssh remote forward.
// - The pull side (GET and HEAD of /v2/, of manifests and of blobs, by digest): an engine pulls
//   a release from here and fetches only the layers it does not have yet. It serves only what
//   was offered: the manifests given to offer() and the blobs they name, under any repository.
// - The push side, only into the repository acceptPushes() names: blob uploads (POST, PATCH,
//   PUT ?digest=, each blob digest-checked into the store) and manifests PUT by tag. HEAD of a
//   blob there answers for every blob the store has, so an engine pushing a build sends only the
//   layers the store lacks.
class LocalRegistry final
{
public:
    explicit LocalRegistry(QString blobsDir);
    ~LocalRegistry();
    LocalRegistry(const LocalRegistry &) = delete;
    LocalRegistry &operator=(const LocalRegistry &) = delete;

    // Listens on 127.0.0.1, on `preferredPort` when it is free (a pusher that remembers blobs
    // per registry host finds them again), else on any free port, and serves on threads of its
    // own until stop().
    Status start(quint16 preferredPort = 0);
    void stop();
    quint16 port() const { return m_port; }

    // Offers manifest (or index) `digest` from the store and every blob it names. BadInput when
    // the store lacks one of them, naming it.
    Status offer(const QString &digest);

    // Takes pushes into `repository` (e.g. "slipway-build/web").
    void acceptPushes(const QString &repository);
    // The digest of the manifest pushed as `tag` into the accepted repository; empty when none.
    QString pushedManifest(const QString &tag) const;
    // Blob bytes received by uploads so far.
    qint64 blobBytesReceived() const { return m_blobBytesReceived; }

    // Blob bytes sent so far (bodies of GET /v2/.../blobs/...), and the blobs sent.
    qint64 blobBytesSent() const { return m_blobBytes; }
    int blobsSent() const { return m_blobs; }
    // Blob bytes sent under repositories whose first component is `space` ("web" for
    // /v2/web/app/blobs/...): one per target, so each target's share is known.
    qint64 blobBytesSentTo(const QString &space) const;

private:
    struct Connection
    {
        std::thread thread;
        std::atomic<bool> done{false};
    };

    struct Request
    {
        QByteArray method;
        QString path;                          // without the query
        QString query;                         // after '?', still encoded
        QHash<QByteArray, QByteArray> headers; // names in lower case
    };

    void acceptLoop();
    void serve(int fd);
    bool respond(int fd, const Request &request, QByteArray &buffer);
    bool sendBlob(int fd, const Request &request, const QString &space, const QString &digest, bool manifest);
    // The push side (localregistrypush.cpp): false when the connection is to close.
    bool respondToPush(int fd, const Request &request, QByteArray &buffer);
    // Reads the request's body (Content-Length or chunked), whatever of it `buffer` already
    // holds first, into `sink`; false when it is cut short, too long or `sink` refuses.
    bool readBody(int fd, const Request &request, QByteArray &buffer, qint64 limit,
                  const std::function<bool(const char *data, qsizetype size)> &sink);
    bool receive(int fd, QByteArray &buffer, int timeoutMs = 60000);
    bool offered(const QString &digest) const;
    bool pushedHere(const QString &repository) const;
    void reapFinished();

    QString m_blobsDir;
    quint16 m_port = 0;
    int m_listener = -1;
    int m_wake[2] = {-1, -1};
    std::thread m_acceptor;
    std::list<Connection> m_connections; // the acceptor's only
    mutable QMutex m_mutex;              // guards m_offered, m_manifestTypes and m_open
    QSet<QString> m_offered;
    QSet<int> m_open;                        // connections being served: shut down by stop()
    QHash<QString, QString> m_manifestTypes; // digest -> media type
    QHash<QString, qint64> m_bytesBySpace;
    QString m_pushRepository;                              // guarded by m_mutex
    QHash<QString, QString> m_pushedTags;                  // tag -> manifest digest; m_mutex
    QHash<QString, std::shared_ptr<BlobWriter>> m_uploads; // upload id -> its blob; m_mutex
    std::atomic<qint64> m_blobBytesReceived{0};
    std::atomic<qint64> m_blobBytes{0};
    std::atomic<int> m_blobs{0};
    std::atomic<bool> m_stopping{false};
};

} // namespace slipway
