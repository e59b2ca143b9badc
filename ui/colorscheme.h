#pragma once

#include <QStringView>

#include <optional>

// The window's colours. By default the system's palette (Fusion follows it, light or dark); a
// user, a screenshot or a test can ask for Slipway's own light or dark palette instead, which
// look the same on every desktop.
enum class ColorScheme
{
    System,
    Light,
    Dark
};

// "light", "dark" or "system"; nullopt for anything else.
std::optional<ColorScheme> parseColorScheme(QStringView name);

class QObject;

// Gives the window (an ApplicationWindow: its popups and dialogs follow it) and the application
// the palette of `scheme`; System leaves both to the system. Qt Quick Controls' Fusion style in
// Qt 6.4 takes its colours from the window's palette, not the application's.
void applyColorScheme(ColorScheme scheme, QObject *window);
