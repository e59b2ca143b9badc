#include "paths.h"

#include <QDir>
#include <QStandardPaths>

namespace slipway {

DataDirs DataDirs::resolve(const QString &dataDirOption)
{
    QString root = dataDirOption;
    if (root.isEmpty())
        root = qEnvironmentVariable("SLIPWAY_HOME");
    if (!root.isEmpty()) {
        const QString absolute = QDir(root).absolutePath();
        return {absolute, absolute, absolute + QStringLiteral("/cache")};
    }
    const auto location = [](QStandardPaths::StandardLocation type) -> QString {
        return QStandardPaths::writableLocation(type) + QStringLiteral("/slipway");
    };
    return {location(QStandardPaths::GenericConfigLocation), location(QStandardPaths::GenericDataLocation),
            location(QStandardPaths::GenericCacheLocation)};
}

} // namespace slipway
