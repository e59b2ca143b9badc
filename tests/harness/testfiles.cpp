#include "testfiles.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>

namespace slipway::test {

bool writeFile(const QString &path, const QByteArray &contents)
{
    QDir().mkpath(QFileInfo(path).absolutePath());
    QFile file(path);
    return file.open(QIODevice::WriteOnly) && file.write(contents) == contents.size();
}

QByteArray dockerConfigJson(const QString &registry, const QString &user, const QString &password)
{
    const QString auth = QString::fromLatin1(QString(user + u':' + password).toUtf8().toBase64());
    return QJsonDocument(QJsonObject{{QStringLiteral("auths"),
                                      QJsonObject{{registry, QJsonObject{{QStringLiteral("auth"), auth}}}}}})
        .toJson();
}

} // namespace slipway::test
