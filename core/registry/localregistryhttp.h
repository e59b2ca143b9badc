#pragma once

// The few pieces of HTTP/1.1 the local registry answers with (localregistry.cpp and
// localregistrypush.cpp): whole replies written to a socket.

#include <QByteArray>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QList>
#include <QString>

#include <cerrno>

#include <sys/socket.h>

namespace slipway::localregistry {

inline QByteArray reasonOf(int status)
{
    switch (status) {
    case 200:
        return "OK";
    case 201:
        return "Created";
    case 202:
        return "Accepted";
    case 204:
        return "No Content";
    case 400:
        return "Bad Request";
    case 404:
        return "Not Found";
    case 405:
        return "Method Not Allowed";
    case 413:
        return "Payload Too Large";
    default:
        return "Error";
    }
}

inline bool sendAll(int fd, const char *data, qsizetype size)
{
    while (size > 0) {
        const ssize_t sent = ::send(fd, data, size_t(size), MSG_NOSIGNAL);
        if (sent < 0 && errno == EINTR)
            continue;
        if (sent <= 0)
            return false;
        data += sent;
        size -= sent;
    }
    return true;
}

inline QByteArray head(int status, const QByteArray &reason, const QList<QByteArray> &headers, qint64 length)
{
    QByteArray text = "HTTP/1.1 " + QByteArray::number(status) + ' ' + reason + "\r\n";
    text += "Docker-Distribution-API-Version: registry/2.0\r\n";
    for (const QByteArray &header : headers)
        text += header + "\r\n";
    text += "Content-Length: " + QByteArray::number(length) + "\r\n\r\n";
    return text;
}

inline bool sendError(int fd, bool withBody, int status, const QByteArray &code, const QString &message)
{
    const QByteArray body =
        QJsonDocument(QJsonObject{{QStringLiteral("errors"),
                                   QJsonArray{QJsonObject{{QStringLiteral("code"), QString::fromLatin1(code)},
                                                          {QStringLiteral("message"), message}}}}})
            .toJson(QJsonDocument::Compact);
    const QByteArray reply = head(status, reasonOf(status), {"Content-Type: application/json"}, body.size()) +
                             (withBody ? body : QByteArray());
    return sendAll(fd, reply.constData(), reply.size());
}

} // namespace slipway::localregistry
