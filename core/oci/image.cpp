#include "image.h"

#include "oci/mediatypes.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>

namespace slipway::oci {
namespace {

QJsonArray toArray(const QStringList &list)
{
    return QJsonArray::fromStringList(list);
}

QJsonObject toObject(const QMap<QString, QString> &map)
{
    QJsonObject object;
    for (auto it = map.cbegin(); it != map.cend(); ++it)
        object.insert(it.key(), it.value());
    return object;
}

QByteArray compact(const QJsonObject &object)
{
    return QJsonDocument(object).toJson(QJsonDocument::Compact);
}

} // namespace

QJsonObject Descriptor::toJson() const
{
    QJsonObject object{{QStringLiteral("mediaType"), mediaType},
                       {QStringLiteral("digest"), digest},
                       {QStringLiteral("size"), size}};
    if (!annotations.isEmpty())
        object.insert(QStringLiteral("annotations"), toObject(annotations));
    return object;
}

QString rfc3339(qint64 secondsSinceEpoch)
{
    return QDateTime::fromSecsSinceEpoch(secondsSinceEpoch, Qt::UTC).toString(Qt::ISODate);
}

void splitPlatform(const QString &platform, QString *os, QString *architecture, QString *variant)
{
    const QStringList parts = platform.split(u'/');
    *os = parts.value(0);
    *architecture = parts.value(1);
    *variant = parts.value(2);
}

QByteArray imageConfig(const ImageInput &input)
{
    const ImageSpec &image = input.image;
    const QString created = rfc3339(input.created);

    QJsonObject config;
    if (!image.user.isEmpty())
        config.insert(QStringLiteral("User"), image.user);
    if (!image.workdir.isEmpty())
        config.insert(QStringLiteral("WorkingDir"), image.workdir);
    if (!image.entrypoint.isEmpty())
        config.insert(QStringLiteral("Entrypoint"), toArray(image.entrypoint));
    if (!image.cmd.isEmpty())
        config.insert(QStringLiteral("Cmd"), toArray(image.cmd));
    if (!image.env.isEmpty()) {
        QStringList env;
        for (auto it = image.env.cbegin(); it != image.env.cend(); ++it)
            env += it.key() + u'=' + it.value();
        config.insert(QStringLiteral("Env"), toArray(env));
    }
    if (!image.expose.isEmpty()) {
        QJsonObject ports;
        for (const int port : image.expose)
            ports.insert(QStringLiteral("%1/tcp").arg(port), QJsonObject());
        config.insert(QStringLiteral("ExposedPorts"), ports);
    }
    QMap<QString, QString> labels = image.labels;
    if (!input.revision.isEmpty())
        labels.insert(QStringLiteral("org.opencontainers.image.revision"), input.revision);
    if (!input.source.isEmpty())
        labels.insert(QStringLiteral("org.opencontainers.image.source"), input.source);
    labels.insert(QStringLiteral("org.opencontainers.image.created"), created);
    config.insert(QStringLiteral("Labels"), toObject(labels));

    QJsonArray diffIds;
    QJsonArray history;
    for (const ImageLayer &layer : input.layers) {
        diffIds.append(layer.diffId);
        history.append(
            QJsonObject{{QStringLiteral("created"), created},
                        {QStringLiteral("created_by"), layer.createdBy},
                        {QStringLiteral("comment"), QStringLiteral("slipway layer '%1'").arg(layer.name)}});
    }

    QJsonObject root{
        {QStringLiteral("created"), created},
        {QStringLiteral("architecture"), input.architecture},
        {QStringLiteral("os"), input.os},
        {QStringLiteral("config"), config},
        {QStringLiteral("rootfs"), QJsonObject{{QStringLiteral("type"), QStringLiteral("layers")},
                                               {QStringLiteral("diff_ids"), diffIds}}},
        {QStringLiteral("history"), history}};
    if (!input.variant.isEmpty())
        root.insert(QStringLiteral("variant"), input.variant);
    return compact(root);
}

QByteArray imageManifest(const Descriptor &config, const QList<ImageLayer> &layers,
                         const QMap<QString, QString> &annotations)
{
    QJsonArray layerArray;
    for (const ImageLayer &layer : layers)
        layerArray.append(layer.blob.toJson());
    QJsonObject root{{QStringLiteral("schemaVersion"), 2},
                     {QStringLiteral("mediaType"), manifestMediaType()},
                     {QStringLiteral("config"), config.toJson()},
                     {QStringLiteral("layers"), layerArray}};
    if (!annotations.isEmpty())
        root.insert(QStringLiteral("annotations"), toObject(annotations));
    return compact(root);
}

} // namespace slipway::oci
