from miara.collection.views import coordination, entry

app_name = "collection"
urlpatterns = [*entry.urlpatterns, *coordination.urlpatterns]
