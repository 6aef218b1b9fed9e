def system_dossier_tab(request, obj):
    return {}
