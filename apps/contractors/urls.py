from django.urls import path

from . import card_views, views, violation_views

app_name = "contractors"

urlpatterns = [
    # Passes and the gate
    path("passes/", views.pass_list, name="pass_list"),
    path("passes/export.csv", views.pass_export, name="pass_export"),
    path("passes/bulk/", views.pass_bulk, name="pass_bulk"),
    path("passes/new/", views.pass_issue, name="pass_issue"),
    path("passes/<int:pk>/", views.pass_detail, name="pass_detail"),
    path("passes/<int:pk>/extend/", views.pass_extend, name="pass_extend"),
    path("passes/<int:pk>/suspend/", views.pass_suspend, name="pass_suspend"),
    path("passes/<int:pk>/reinstate/", views.pass_reinstate, name="pass_reinstate"),
    path("passes/<int:pk>/block/", views.pass_block, name="pass_block"),
    path("passes/<int:pk>/unblock/", views.pass_unblock, name="pass_unblock"),
    path("passes/<int:pk>/revoke/", views.pass_revoke, name="pass_revoke"),
    path("gate/", views.gate_page, name="gate"),
    # Companies and their workers
    path("companies/", views.company_list, name="company_list"),
    path("companies/new/", views.company_create, name="company_create"),
    path("companies/<int:pk>/", views.company_detail, name="company_detail"),
    path("companies/<int:pk>/status/", views.company_set_status, name="company_set_status"),
    path("companies/<int:pk>/documents/new/", views.company_document_add, name="company_document_add"),
    path("companies/<int:pk>/workers/new/", views.worker_create, name="worker_create"),
    path("workers/<int:pk>/", views.worker_detail, name="worker_detail"),
    path("workers/<int:pk>/photo/", views.worker_photo, name="worker_photo"),
    path("workers/<int:pk>/documents/new/", views.worker_document_add, name="worker_document_add"),
    # Work orders
    path("work-orders/", views.work_order_list, name="work_order_list"),
    path("work-orders/new/", views.work_order_create, name="work_order_create"),
    path("work-orders/<int:pk>/", views.work_order_detail, name="work_order_detail"),
    path("work-orders/<int:pk>/<slug:step>/", views.work_order_step, name="work_order_step"),
    # Pass cards (PDF)
    path("passes/<int:pk>/card.pdf", card_views.pass_card, name="pass_card"),
    path("passes/cards.pdf", card_views.pass_cards, name="pass_cards"),
    # Violations, sanctions and the scorecard
    path("violations/", violation_views.violation_list, name="violation_list"),
    path("violations/new/", violation_views.violation_create, name="violation_create"),
    path("violations/<int:pk>/", violation_views.violation_detail, name="violation_detail"),
    path("violations/<int:pk>/evidence/", violation_views.violation_evidence, name="violation_evidence"),
    path("violations/<int:pk>/sanction/", violation_views.sanction_apply, name="sanction_apply"),
    path("sanctions/<int:pk>/lift/", violation_views.sanction_lift, name="sanction_lift"),
    path("companies/<int:pk>/scorecard/", violation_views.company_scorecard, name="company_scorecard"),
    path("companies/<int:pk>/audits/", violation_views.company_audits, name="company_audits"),
]
