#pragma once

#include <QList>
#include <QMap>
#include <QString>
#include <QStringList>

namespace slipway {

// The image settings of slipway.toml's [image] table: what the image config is made of. It
// lives here, below the project file's parser, because the image config is written from it.
struct ImageSpec
{
    QString base = QStringLiteral("scratch");
    QStringList platforms{QStringLiteral("linux/amd64")};
    QString workdir;
    QStringList entrypoint;
    QStringList cmd;
    QMap<QString, QString> env;
    QString user;
    QList<int> expose;
    QMap<QString, QString> labels;
};

} // namespace slipway
