pragma ComponentBehavior: Bound
import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Slipway.Ui

ApplicationWindow {
    id: window

    required property Navigation navigation

    width: 1200
    height: 760
    minimumWidth: 800
    minimumHeight: 500
    visible: true
    title: qsTr("Slipway — %1").arg(navigation.currentPage)

    RowLayout {
        anchors.fill: parent
        spacing: 0

        NavigationRail {
            Layout.fillHeight: true
            Layout.preferredWidth: 184
            pages: window.navigation.pages
            currentIndex: window.navigation.currentIndex
            onPageChosen: index => window.navigation.currentIndex = index
        }

        StackLayout {
            objectName: "pageStack"
            Layout.fillWidth: true
            Layout.fillHeight: true
            currentIndex: window.navigation.currentIndex

            DeployPage {}
            HistoryPage {}
            TargetsPage {}
            ProjectsPage {}
            SettingsPage {}
        }
    }
}
