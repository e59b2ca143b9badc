#include "colorscheme.h"

#include <QGuiApplication>
#include <QMetaEnum>
#include <QPalette>
#include <QQmlProperty>

namespace {

struct Colours
{
    QColor window, text, base, alternateBase, button, light, midlight, mid, dark, shadow, highlight,
        highlightedText, link, linkVisited, placeholder, disabledText, toolTipBase, brightText;
};

QPalette paletteOf(const Colours &c)
{
    QPalette palette;
    palette.setColor(QPalette::Window, c.window);
    palette.setColor(QPalette::WindowText, c.text);
    palette.setColor(QPalette::Base, c.base);
    palette.setColor(QPalette::AlternateBase, c.alternateBase);
    palette.setColor(QPalette::Text, c.text);
    palette.setColor(QPalette::Button, c.button);
    palette.setColor(QPalette::ButtonText, c.text);
    palette.setColor(QPalette::BrightText, c.brightText);
    palette.setColor(QPalette::Light, c.light);
    palette.setColor(QPalette::Midlight, c.midlight);
    palette.setColor(QPalette::Mid, c.mid);
    palette.setColor(QPalette::Dark, c.dark);
    palette.setColor(QPalette::Shadow, c.shadow);
    palette.setColor(QPalette::Highlight, c.highlight);
    palette.setColor(QPalette::HighlightedText, c.highlightedText);
    palette.setColor(QPalette::Link, c.link);
    palette.setColor(QPalette::LinkVisited, c.linkVisited);
    palette.setColor(QPalette::PlaceholderText, c.placeholder);
    palette.setColor(QPalette::ToolTipBase, c.toolTipBase);
    palette.setColor(QPalette::ToolTipText, c.text);
    for (const QPalette::ColorRole role : {QPalette::WindowText, QPalette::Text, QPalette::ButtonText})
        palette.setColor(QPalette::Disabled, role, c.disabledText);
    palette.setColor(QPalette::Disabled, QPalette::Highlight, c.mid);
    return palette;
}

} // namespace

std::optional<ColorScheme> parseColorScheme(QStringView name)
{
    if (name == u"system")
        return ColorScheme::System;
    if (name == u"light")
        return ColorScheme::Light;
    if (name == u"dark")
        return ColorScheme::Dark;
    return std::nullopt;
}

static QPalette paletteFor(ColorScheme scheme)
{
    // Contrast: body text on the window is above 12:1 in both, the placeholder and disabled text
    // above 4.5:1 (WCAG AA); the highlight carries white text at 4.5:1 or more.
    switch (scheme) {
    case ColorScheme::System:
        return QGuiApplication::palette();
    case ColorScheme::Light:
        return paletteOf({.window = QColor(0xef, 0xef, 0xef),
                          .text = QColor(0x1f, 0x1f, 0x1f),
                          .base = QColor(0xff, 0xff, 0xff),
                          .alternateBase = QColor(0xf5, 0xf5, 0xf5),
                          .button = QColor(0xf4, 0xf4, 0xf4),
                          .light = QColor(0xff, 0xff, 0xff),
                          .midlight = QColor(0xe3, 0xe3, 0xe3),
                          .mid = QColor(0xb8, 0xb8, 0xb8),
                          .dark = QColor(0x9f, 0x9f, 0x9f),
                          .shadow = QColor(0x76, 0x76, 0x76),
                          .highlight = QColor(0x1f, 0x6f, 0xd0),
                          .highlightedText = QColor(0xff, 0xff, 0xff),
                          .link = QColor(0x0b, 0x5c, 0xc4),
                          .linkVisited = QColor(0x6a, 0x3d, 0xb8),
                          .placeholder = QColor(0x6b, 0x6b, 0x6b),
                          .disabledText = QColor(0x76, 0x76, 0x76),
                          .toolTipBase = QColor(0xff, 0xff, 0xdc),
                          .brightText = QColor(0xff, 0xff, 0xff)});
    case ColorScheme::Dark:
        return paletteOf({.window = QColor(0x2b, 0x2b, 0x2e),
                          .text = QColor(0xec, 0xec, 0xec),
                          .base = QColor(0x1f, 0x1f, 0x22),
                          .alternateBase = QColor(0x27, 0x27, 0x2a),
                          .button = QColor(0x36, 0x36, 0x3a),
                          .light = QColor(0x4a, 0x4a, 0x4f),
                          .midlight = QColor(0x40, 0x40, 0x45),
                          .mid = QColor(0x5c, 0x5c, 0x62),
                          .dark = QColor(0x1a, 0x1a, 0x1c),
                          .shadow = QColor(0x0e, 0x0e, 0x10),
                          .highlight = QColor(0x2f, 0x6f, 0xcf),
                          .highlightedText = QColor(0xff, 0xff, 0xff),
                          .link = QColor(0x6c, 0xb2, 0xff),
                          .linkVisited = QColor(0xb3, 0x9d, 0xff),
                          .placeholder = QColor(0x9a, 0x9a, 0xa0),
                          .disabledText = QColor(0x8a, 0x8a, 0x90),
                          .toolTipBase = QColor(0x36, 0x36, 0x3a),
                          .brightText = QColor(0xff, 0xff, 0xff)});
    }
    return QGuiApplication::palette();
}

void applyColorScheme(ColorScheme scheme, QObject *window)
{
    if (scheme == ColorScheme::System)
        return;
    const QPalette palette = paletteFor(scheme);
    QGuiApplication::setPalette(palette);
    // QML's palette names each role as QPalette does, first letter lower case ("windowText").
    const QMetaEnum roles = QMetaEnum::fromType<QPalette::ColorRole>();
    for (int i = 0; i < roles.keyCount(); ++i) {
        const auto role = QPalette::ColorRole(roles.value(i));
        if (role >= QPalette::NColorRoles || role == QPalette::NoRole)
            continue;
        QString name = QString::fromLatin1(roles.key(i));
        name[0] = name.at(0).toLower();
        for (const auto &[group, prefix] :
             {std::pair(QPalette::Active, QStringLiteral("palette.")),
              std::pair(QPalette::Inactive, QStringLiteral("palette.inactive.")),
              std::pair(QPalette::Disabled, QStringLiteral("palette.disabled."))})
            QQmlProperty(window, prefix + name).write(palette.color(group, role));
    }
}
