// What a screen reader sees of a card list: each card on screen is a list item of the list,
// named after its row, with its labels and its Confirm / Delete buttons, whose names follow
// their state. Hermetic: a BookingStore filled from JSON, no server.
#include "bookingcard.h"
#include "bookingstore.h"
#include "cardlistview.h"
#include "syncbutton.h"

#include <QAccessible>
#include <QApplication>
#include <QJsonArray>
#include <QJsonObject>
#include <QTest>

class TestCardAccessibility : public QObject
{
    Q_OBJECT

    BookingStore m_store;
    std::unique_ptr<CardListView> m_list;

    static QJsonObject booking(int i, const QString &status)
    {
        return { { QStringLiteral("id"), QStringLiteral("b%1").arg(i, 3, 10, QLatin1Char('0')) },
            { QStringLiteral("version"), 1 },
            { QStringLiteral("customer_name"), QStringLiteral("Customer %1").arg(i) },
            { QStringLiteral("service"), QStringLiteral("Service %1").arg(i) },
            { QStringLiteral("status"), status },
            { QStringLiteral("starts_at"), QStringLiteral("2026-12-04T09:00:00Z") },
            { QStringLiteral("updated_at"), QStringLiteral("2026-12-03T09:00:00Z") } };
    }

    static QList<QAccessibleInterface *> childrenWithRole(
        QAccessibleInterface *iface, QAccessible::Role role)
    {
        QList<QAccessibleInterface *> found;
        for (int i = 0; i < iface->childCount(); ++i) {
            if (QAccessibleInterface *child = iface->child(i); child && child->role() == role)
                found.append(child);
        }
        return found;
    }

private slots:
    void initTestCase()
    {
        QJsonArray rows;
        for (int i = 0; i < 200; ++i)
            rows.append(
                booking(i, i % 3 == 1 ? QStringLiteral("confirmed") : QStringLiteral("pending")));
        m_store.reset(rows);
        m_list = std::make_unique<CardListView>(
            [](QWidget *parent) -> CardWidget * {
                return new BookingCard(
                    [](const QString &) { return std::pair<MutationHandle *, MutationHandle *>(); },
                    parent);
            },
            BookingCard::height);
        m_list->setModel(&m_store);
        m_list->setAccessibleName(QStringLiteral("Bookings"));
        m_list->resize(900, 500);
        m_list->show();
        QVERIFY(QTest::qWaitForWindowExposed(m_list.get()));
        QTRY_VERIFY(!m_list->visibleCards().isEmpty());
    }

    void listItemsAreTheCardsOnScreenInRowOrder()
    {
        QAccessibleInterface *list = QAccessible::queryAccessibleInterface(m_list.get());
        QVERIFY(list);
        QCOMPARE(list->role(), QAccessible::List);
        QCOMPARE(list->text(QAccessible::Name), QStringLiteral("Bookings"));
        const QList<CardWidget *> cards = m_list->visibleCards();
        QVERIFY(cards.size() >= 3);
        QVERIFY(cards.size() < 20); // only what is on screen, not 200
        QCOMPARE(list->childCount(), cards.size());
        for (int i = 0; i < cards.size(); ++i) {
            QAccessibleInterface *item = list->child(i);
            QVERIFY(item);
            QCOMPARE(item->object(), cards.at(i));
            QCOMPARE(item->role(), QAccessible::ListItem);
            QCOMPARE(item->parent(), list); // not the viewport, which a screen reader never reaches
            QCOMPARE(list->indexOfChild(item), i);
            QCOMPARE(cards.at(i)->index().row(), cards.first()->index().row() + i);
        }
        QCOMPARE(list->child(cards.size()), nullptr);
    }

    void aCardCarriesItsTextAndButtons()
    {
        QAccessibleInterface *list = QAccessible::queryAccessibleInterface(m_list.get());
        QAccessibleInterface *first = list->child(0);
        const QString name = first->text(QAccessible::Name);
        QVERIFY2(
            name.startsWith(QStringLiteral("Booking: Customer 0, Service 0, ")), qPrintable(name));
        QVERIFY2(name.endsWith(QStringLiteral(", pending")), qPrintable(name));
        QStringList labels;
        for (QAccessibleInterface *label : childrenWithRole(first, QAccessible::StaticText))
            labels << label->text(QAccessible::Name);
        QVERIFY2(labels.contains(QStringLiteral("Customer 0")), qPrintable(labels.join(u'|')));
        QStringList buttons;
        for (QAccessibleInterface *button : childrenWithRole(first, QAccessible::Button)) {
            buttons << button->text(QAccessible::Name);
            QVERIFY(button->actionInterface());
            QVERIFY(button->actionInterface()->actionNames().contains(
                QAccessibleActionInterface::pressAction()));
        }
        QCOMPARE(buttons, (QStringList { QStringLiteral("Confirm"), QStringLiteral("Delete") }));

        // A confirmed booking's button says so, and is not pressable.
        QAccessibleInterface *second = list->child(1);
        QVERIFY(second->text(QAccessible::Name).endsWith(QStringLiteral(", confirmed")));
        QAccessibleInterface *confirmed = childrenWithRole(second, QAccessible::Button).first();
        QCOMPARE(confirmed->text(QAccessible::Name), QStringLiteral("Confirmed"));
        QVERIFY(confirmed->state().disabled);
    }

    void selectionAndFocusFollowTheView()
    {
        QAccessibleInterface *list = QAccessible::queryAccessibleInterface(m_list.get());
        QVERIFY(!list->child(2)->state().selected);
        QVERIFY(list->child(2)->state().selectable);
        m_list->setCurrentIndex(m_store.index(2, 0));
        QVERIFY(list->child(2)->state().selected);
        QCOMPARE(list->focusChild(), list->child(2));
    }

    void aScreenReaderCanFocusAndSelectACard()
    {
        QAccessibleInterface *list = QAccessible::queryAccessibleInterface(m_list.get());
        m_list->selectionModel()->clearSelection();
        QAccessibleInterface *item = list->child(3);
        QAccessibleActionInterface *actions = item->actionInterface();
        QVERIFY(actions);
        QCOMPARE(actions->actionNames(),
            (QStringList { QAccessibleActionInterface::setFocusAction(),
                QAccessibleActionInterface::toggleAction() }));
        actions->doAction(QAccessibleActionInterface::setFocusAction());
        QCOMPARE(m_list->currentIndex().row(), m_list->visibleCards().at(3)->index().row());
        QVERIFY(m_list->hasFocus() || !QApplication::focusWindow()); // focus needs an active window
        QVERIFY(!item->state().selected);
        actions->doAction(QAccessibleActionInterface::toggleAction());
        QVERIFY(item->state().selected);
        QCOMPARE(m_list->selectionModel()->selectedRows().size(), 1);
        list->child(4)->actionInterface()->doAction(QAccessibleActionInterface::toggleAction());
        QCOMPARE(
            m_list->selectionModel()->selectedRows().size(), 2); // toggling adds, like Ctrl+click
        actions->doAction(QAccessibleActionInterface::toggleAction());
        QVERIFY(!item->state().selected);
        QCOMPARE(m_list->selectionModel()->selectedRows().size(), 1);
        m_list->selectionModel()->clearSelection();
    }

    void aListWithRowsAlwaysHasACurrentRow()
    {
        BookingStore store;
        store.reset(QJsonArray {
            booking(1, QStringLiteral("pending")), booking(2, QStringLiteral("pending")) });
        CardListView list(
            [](QWidget *parent) -> CardWidget * {
                return new BookingCard(
                    [](const QString &) { return std::pair<MutationHandle *, MutationHandle *>(); },
                    parent);
            },
            BookingCard::height);
        list.setModel(&store);
        list.resize(600, 400);
        list.show();
        QTRY_VERIFY(list.currentIndex().isValid());
        QCOMPARE(list.currentIndex().row(), 0);
        QVERIFY(list.selectionModel()->selectedRows().isEmpty()); // current, not selected
        store.reset(QJsonArray { booking(7, QStringLiteral("pending")) }); // e.g. a filter took it
        QTRY_VERIFY(list.currentIndex().isValid());
        QCOMPARE(list.currentIndex()
                     .data(RowStore::RowRole)
                     .toJsonObject()
                     .value(QStringLiteral("id"))
                     .toString(),
            QStringLiteral("b007"));
    }

    void scrollingChangesTheItemsAndTheirNames()
    {
        QAccessibleInterface *list = QAccessible::queryAccessibleInterface(m_list.get());
        m_list->scrollTo(m_store.index(150, 0), QAbstractItemView::PositionAtTop);
        QTRY_VERIFY(m_list->cardForRow(150));
        bool found = false;
        for (int i = 0; i < list->childCount(); ++i)
            found = found
                || list->child(i)
                       ->text(QAccessible::Name)
                       .startsWith(QStringLiteral("Booking: Customer 150,"));
        QVERIFY(found);
        QVERIFY(!list->child(0)
                     ->text(QAccessible::Name)
                     .startsWith(QStringLiteral("Booking: Customer 0,")));
    }
};

QTEST_MAIN(TestCardAccessibility)
#include "tst_cardaccessibility.moc"
