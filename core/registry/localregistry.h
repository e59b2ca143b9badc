#pragma once

#include "util/result.h"

#include <QHash>
#include <QMutex>
#include <QSet>
#include <QString>

#include <atomic>
#include <list>
#include <thread>

namespace slipway {

// A read-only registry on 127.0.0.1: the pull side of the distribution API (GET and HEAD of
// /v2/, of manifests and of blobs, by digest) over a content store. An engine pulls a release
// from here and fetches only the layers it does not have yet; a remote engine reaches it through
// an ssh remote forward. It serves only what was offered: the manifests given to offer() and the
// blobs they name, under any repository name. Plain HTTP, as engines allow for 127.0.0.0/8.
class LocalRegistry final
{
public:
    explicit LocalRegistry(QString blobsDir);
    ~LocalRegistry();
    LocalRegistry(const LocalRegistry &) = delete;
    LocalRegistry &operator=(const LocalRegistry &) = delete;

    // Listens on a free port of 127.0.0.1 and serves on threads of its own until stop().
    Status start();
    void stop();
    quint16 port() const { return m_port; }

    // Offers manifest (or index) `digest` from the store and every blob it names. BadInput when
    // the store lacks one of them, naming it.
    Status offer(const QString &digest);

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

    void acceptLoop();
    void serve(int fd);
    bool respond(int fd, const QByteArray &method, const QByteArray &path);
    bool offered(const QString &digest) const;
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
    std::atomic<qint64> m_blobBytes{0};
    std::atomic<int> m_blobs{0};
    std::atomic<bool> m_stopping{false};
};

} // namespace slipway
