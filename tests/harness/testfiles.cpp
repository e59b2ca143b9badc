#include "testfiles.h"

#include <QDir>
#include <QDirIterator>
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

QStringList filesContaining(const QString &directory, const QString &needle)
{
    QStringList found;
    QDirIterator it(directory, QDir::Files | QDir::Hidden | QDir::System, QDirIterator::Subdirectories);
    while (it.hasNext()) {
        QFile file(it.next());
        if (file.open(QIODevice::ReadOnly) && file.readAll().contains(needle.toUtf8()))
            found += file.fileName();
    }
    return found;
}

QByteArray dockerConfigJson(const QString &registry, const QString &user, const QString &password)
{
    const QString auth = QString::fromLatin1(QString(user + u':' + password).toUtf8().toBase64());
    return QJsonDocument(QJsonObject{{QStringLiteral("auths"),
                                      QJsonObject{{registry, QJsonObject{{QStringLiteral("auth"), auth}}}}}})
        .toJson();
}

} // namespace slipway::test
