from __future__ import annotations

from django.contrib.auth.mixins import LoginRequiredMixin
from django.views import View


class OverdueView(LoginRequiredMixin, View):
    pass
