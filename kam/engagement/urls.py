from django.urls import path

from kam.engagement import views

app_name = "engagement"

urlpatterns = [
    path("visits/", views.VisitListView.as_view(), name="visit-list"),
    path("visits/new/", views.VisitFormView.as_view(), name="visit-create"),
    path("visits/overdue/", views.overdue, name="overdue"),
    path("visits/<int:pk>/", views.VisitDetailView.as_view(), name="visit-detail"),
    path("visits/<int:pk>/edit/", views.VisitEditView.as_view(), name="visit-edit"),
    path("visits/<int:pk>/record/", views.VisitFormView.as_view(), name="visit-record"),
    path("visits/<int:pk>/cancel/", views.visit_cancel, name="visit-cancel"),
    path("plans/", views.PlanListView.as_view(), name="plan-list"),
    path("plans/new/", views.PlanFormView.as_view(), name="plan-create"),
    path("plans/<int:pk>/", views.PlanDetailView.as_view(), name="plan-detail"),
    path("plans/<int:pk>/edit/", views.PlanFormView.as_view(), name="plan-edit"),
    path("plans/<int:pk>/submit/", views.plan_submit, name="plan-submit"),
    path("plans/<int:pk>/approve/", views.plan_approve, name="plan-approve"),
    path("plans/<int:pk>/return/", views.plan_return, name="plan-return"),
    path("plans/<int:pk>/<str:part>/add/", views.plan_add_part, name="plan-add-part"),
    path("plans/<int:pk>/<str:part>/<int:part_pk>/delete/", views.plan_delete_part, name="plan-delete-part"),
    path("plans/<int:pk>/actions/<int:part_pk>/status/", views.plan_action_status, name="plan-action-status"),
    path("competitors/", views.CompetitorListView.as_view(), name="competitor-list"),
    path("competitors/new/", views.CompetitorFormView.as_view(), name="competitor-create"),
    path("competitors/<int:pk>/", views.CompetitorDetailView.as_view(), name="competitor-detail"),
    path("competitors/<int:pk>/edit/", views.CompetitorFormView.as_view(), name="competitor-edit"),
    path("presences/", views.PresenceListView.as_view(), name="presence-list"),
    path("presences/new/", views.PresenceFormView.as_view(), name="presence-create"),
    path("presences/<int:pk>/", views.PresenceDetailView.as_view(), name="presence-detail"),
    path("presences/<int:pk>/edit/", views.PresenceFormView.as_view(), name="presence-edit"),
    path("presences/<int:pk>/delete/", views.presence_delete, name="presence-delete"),
    path("feedback/", views.FeedbackListView.as_view(), name="feedback-list"),
    path("feedback/new/", views.FeedbackFormView.as_view(), name="feedback-create"),
    path("feedback/turnaround/", views.turnaround, name="turnaround"),
    path("feedback/<int:pk>/", views.FeedbackDetailView.as_view(), name="feedback-detail"),
    path("feedback/<int:pk>/edit/", views.FeedbackFormView.as_view(), name="feedback-edit"),
    path("feedback/<int:pk>/route/", views.feedback_route, name="feedback-route"),
    path("feedback/<int:pk>/decide/", views.feedback_decide, name="feedback-decide"),
    path("feedback/<int:pk>/close/", views.feedback_close, name="feedback-close"),
]
