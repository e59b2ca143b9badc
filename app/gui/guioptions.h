#pragma once

#include "colorscheme.h"

#include <QString>
#include <QStringList>

// The options of the slipway executable, parsed before the window exists.
struct GuiOptions
{
    bool selfTest = false;  // load the QML, fail on any QML warning or error, quit
    QString screenshotPath; // save a PNG of the window once it has drawn, and quit
    QString page;           // the page to show first
    QString dataDir;        // --data-dir: where settings' data, cache and layouts go
    QString demoBuild;      // --demo-build: build this project at start (for screenshots)
    ColorScheme colorScheme = ColorScheme::System; // --color-scheme
    QString error;                                 // non-empty: the command line is wrong (exit 2)
    bool exitNow = false;                          // --help or --version was answered
};

GuiOptions parseGuiOptions(const QStringList &arguments, const QStringList &pages);
