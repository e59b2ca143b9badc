#pragma once

#include <QJsonDocument>
#include <QJsonObject>
#include <QMap>
#include <QString>
#include <QUrl>

namespace slipway {

// A JSON object of strings as a map (labels, options, environments as the Engine API has them),
// and back. Non-string values read as empty.
inline QMap<QString, QString> stringMapOf(const QJsonObject &object)
{
    QMap<QString, QString> map;
    for (auto it = object.begin(); it != object.end(); ++it)
        map.insert(it.key(), it.value().toString());
    return map;
}

inline QJsonObject jsonObjectOf(const QMap<QString, QString> &map)
{
    QJsonObject object;
    for (auto it = map.begin(); it != map.end(); ++it)
        object.insert(it.key(), it.value());
    return object;
}

// The Engine API's `filters` query value: {"label": ["a=b"], ...} as compact JSON, percent-encoded.
inline QString engineFilters(const QJsonObject &filters)
{
    return QString::fromUtf8(
        QUrl::toPercentEncoding(QString::fromUtf8(QJsonDocument(filters).toJson(QJsonDocument::Compact))));
}

} // namespace slipway
