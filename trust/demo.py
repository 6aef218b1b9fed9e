def seed_trust(ctx):
    pass
