"""The seeded data of the real server and of the in-process tests.

alice owns project 1 (active, with tasks 1 open and 2 done) and 2 (archived); bob owns 3
(with task 3). Both have the password ``PASSWORD``.
"""

from django.contrib.auth import get_user_model

from tests.realapp.models import Project, Task

PASSWORD = "realapp-password"
USERS = ("alice", "bob")


def seed():
    User = get_user_model()
    alice, bob = (User.objects.create_user(name, password=PASSWORD) for name in USERS)
    website = Project.objects.create(id=1, name="Website", owner=alice)
    Project.objects.create(id=2, name="Old site", owner=alice, archived=True)
    launch = Project.objects.create(id=3, name="Launch", owner=bob)
    Task.objects.create(id=1, project=website, title="Write the copy")
    Task.objects.create(id=2, project=website, title="Buy the domain", done=True)
    Task.objects.create(id=3, project=launch, title="Book the venue")
