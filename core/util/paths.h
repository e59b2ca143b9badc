#pragma once

#include <QString>

namespace slipway {

// Where Slipway keeps its files. One directory (--data-dir, or $SLIPWAY_HOME) holds all three;
// otherwise they follow the XDG base directories.
struct DataDirs
{
    QString config; // targets, settings
    QString data;   // history database
    QString cache;  // git mirrors, blob store, layer cache

    // dataDirOption: the value of --data-dir, empty when not given.
    static DataDirs resolve(const QString &dataDirOption);
};

} // namespace slipway
