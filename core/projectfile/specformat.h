#pragma once

// Private to core/projectfile/: how values are shown in slipway.toml messages.

#include <QString>
#include <QStringList>

namespace slipway::spec_detail {

// A value as it would be written in TOML, for messages.
inline QString quoted(const QString &s)
{
    QString out = s;
    out.replace(u'\\', QLatin1String("\\\\"));
    out.replace(u'"', QLatin1String("\\\""));
    return u'"' + out + u'"';
}

inline QString quotedList(const QStringList &list)
{
    QStringList items;
    for (const QString &s : list)
        items << quoted(s);
    return u'[' + items.join(QLatin1String(", ")) + u']';
}

} // namespace slipway::spec_detail
