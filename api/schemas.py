"""Response and request bodies of the API (the optimizer's own formats pass through as JSON)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field


class SiteArchived(BaseModel):
    archived: bool = Field(description="true: the compound needs no more planning; false: it is back")


class OsmSite(BaseModel):
    site: dict[str, Any] = Field(description="the site GeoJSON, to look at and then PUT to /sites/{site_id}")
    buildings: int
    lanes: int
    gate: str = Field(description="the gate's id: its OSM node (n123), or gate where given as lon,lat")
    without_households: list[str] = Field(description="buildings the map gives no households (written as 0)")
    no_tricycle: list[str] = Field(
        description="buildings a tricycle cannot reach: nearest to steps, or cut off"
    )
    renamed: list[str] = Field(description="buildings renamed for a house number taken already (7-2)")
    unnumbered: list[str] = Field(description="buildings with no number or name on the map, by OSM id (w123)")
    cut_off: list[str] = Field(
        default_factory=list,
        description="buildings left out, the export holding only part of their outline (an extract cut at "
        "its edge), by OSM id: export a larger area, or draw them",
    )
    households_from_map: list[str] = Field(
        default_factory=list,
        description="a compound mapped already: buildings whose households its stored map gave (typed in"
        " by the coordinator, say), by the same id",
    )


class DayPropertyOut(BaseModel):
    kind: Literal["building", "zone", "lane"]
    id: str
    name: str
    field: Literal["sealed", "doorbell", "contact", "closed"]
    value: bool | str


class SiteSummary(BaseModel):
    id: str
    name: str
    buildings: int
    households: int
    lanes: int
    zones: int
    has_operations: bool
    district: str | None = Field(
        default=None, description="the district whose office's token sees the site (set by the admin)"
    )
    archived: bool = Field(default=False, description="archived: out of the district's overview and lists")
    kept: list[DayPropertyOut] = Field(
        default_factory=list,
        description=(
            "a map sent again (PUT): the day's properties it left out — a seal, a closed lane, a broken"
            " doorbell, the household to notify — kept as they were (optimizer/day_state.py)"
        ),
    )
    dropped: list[DayPropertyOut] = Field(
        default_factory=list,
        description="a map sent again (PUT): the day's properties of features it does not have (a building"
        " renamed or taken out), gone with them",
    )


class BuildingOut(BaseModel):
    id: str
    name: str
    households: int
    floors: int
    zone: str | None
    doorbell: str
    contact: str | None
    sealed: bool
    zone_sealed: bool = Field(
        default=False, description="in a sealed zone: door delivery whatever `sealed` says"
    )


class ZoneOut(BaseModel):
    id: str
    name: str
    sealed: bool = Field(description="a sealed small zone: every building in it gets door delivery")
    buildings: list[str] = Field(description="the buildings in it (footprint or entrance inside)")


class ZoneChange(BaseModel):
    """A small zone sealed or opened during a lockdown day."""

    model_config = ConfigDict(extra="forbid")

    sealed: bool


class LaneOut(BaseModel):
    id: str
    name: str
    modes: list[str] = Field(description="who may ride it, as the map says")
    closed: bool = Field(description="closed today: no crew rides it, the designated pair neither")
    cut_off: list[str] = Field(
        description="buildings that no vehicle reaches from the gate while it is closed (with the other lanes as they are)"
    )


class LaneChange(BaseModel):
    """A lane closed (a barricade, a gate between zones locked) or opened again during a day."""

    model_config = ConfigDict(extra="forbid")

    closed: bool


class BuildingChange(BaseModel):
    """What a coordinator learns during the day about a building; fields left out stay as they are."""

    model_config = ConfigDict(extra="forbid")

    contact: str | None = Field(
        default=None, max_length=200, description="the household to notify (null: none named)"
    )
    doorbell: Literal["working", "broken"] | None = None
    sealed: bool | None = Field(default=None, description="sealed after a positive case: door delivery")
    households: int | None = Field(
        default=None,
        ge=0,
        le=10_000,
        description="households living there (a map drawn or read without them)",
    )


class CountOut(BaseModel):
    building: str
    parcels: int
    shift: str | None
    urgent: int
    arrived: str | None = Field(default=None, description="HH:MM:SS the parcels reached the gate, if given")
    held_from: str | None = Field(
        default=None, description="YYYY-MM-DD: parcels held over from that earlier day (they go first)"
    )
    back_at: str | None = Field(
        default=None,
        description="HH:MM:SS a trip brought these parcels back to the gate today; sent out again from then",
    )


class CountTotals(BaseModel):
    rows: int
    parcels: int
    urgent: int
    buildings: int
    held_over: int = Field(default=0, description="parcels held over from earlier days")


class CountsOut(BaseModel):
    site: str
    date: str
    rows: list[CountOut]
    totals: CountTotals


class CountsRead(CountsOut):
    left_blank: list[str] = Field(
        default=[],
        description="buildings the sheet lists with no parcels (their rows left blank), by id",
    )


class HeldOverOut(BaseModel):
    """What an earlier day left at the gate for this day, beside what this day's counts hold of it."""

    plan_id: str | None = Field(description="the earlier day's plan it comes from; null: no earlier plan")
    plan_date: str | None = Field(description="that plan's day")
    undelivered: int = Field(description="parcels the plan left undelivered")
    returned: int = Field(description="parcels its day's trips brought back to go out again")
    forgotten: int = Field(
        default=0,
        description="parcels still earlier days left that a later day was planned without (neither "
        "added nor set aside): still at the gate, so carried on with these",
    )
    forgotten_from: str | None = Field(default=None, description="the earliest day they are held over from")
    urgent: int = Field(description="urgent parcels among all of them")
    in_counts: int = Field(
        description="parcels this day's counts hold over from the same days (adding replaces them)"
    )
    added: bool = Field(
        description="this day's counts hold exactly those parcels, building by building: nothing to add"
    )
    set_aside: bool = Field(
        default=False,
        description="they were taken off this day on purpose (DELETE …/counts/held-over: fetched at the "
        "gate, sent back), so not waiting; adding them again is still possible",
    )


class ShiftCrewsOut(BaseModel):
    shift: str
    crews: dict[str, int] = Field(description="crews fielded, by the fleet entry's id")
    idle_riders: int = Field(description="riders left over with no vehicle for them")


class OperationsRead(BaseModel):
    """What a roster makes, read and checked without storing it."""

    shifts: list[ShiftCrewsOut]


class Replan(BaseModel):
    """Plan the rest of the day around the trips already on the road (a new wave came in, a crew
    went home): those trips stay exactly as they are."""

    model_config = ConfigDict(extra="forbid")

    now: str = Field(
        min_length=4, max_length=8, description="HH:MM: trips of the plan in use that departed by then stay"
    )
    plan_id: str | None = Field(
        default=None, max_length=100, description="the plan in use (default: the day's latest plan)"
    )


class PlanRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    time_limit_s: float | None = Field(default=None, gt=0, le=300, description="search seconds (default 10)")
    policy: Literal["notify_one", "ring_each"] | None = None
    replan: Replan | None = None


class PlanAllRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    time_limit_s: float | None = Field(
        default=None, gt=0, le=300, description="search seconds a site (default 10)"
    )
    policy: Literal["notify_one", "ring_each"] | None = None
    held_over: Literal["add", "without"] | None = Field(
        default=None,
        description="a site whose gate still holds parcels an earlier day left, not in this day's counts "
        "nor set aside (`left_before` in the overview): `add` adds them first, as `POST …/counts/held-over` "
        "does; `without` plans the day without them; by default the site is refused (`held_over_waiting`), "
        "saying how many and since when",
    )


class SiteRefusal(BaseModel):
    site: str
    code: str
    message: str = Field(description="what to fix at that site before it can be planned")


class WaitingCancelled(BaseModel):
    date: str
    cancelled: list[str] = Field(description="the sites whose waiting plan was taken back, by id")


class PlansQueued(BaseModel):
    date: str
    queued: list[JobOut] = Field(description="a job for each site planned now; follow with GET /jobs/{id}")
    waiting: list[JobOut] = Field(
        description="a job for each site that found the queue full: it waits on the server and "
        "starts by itself as room frees (its inputs taken then); nothing to ask again"
    )
    refused: list[SiteRefusal] = Field(
        description="sites whose counts, map or roster cannot be planned as they are"
    )
    held_over_added: dict[str, int] = Field(
        default_factory=dict,
        description="with `held_over: add`, the sites whose waiting leftovers were added to the day's counts "
        "before planning, and the parcels each day now holds over",
    )


class JobProgress(BaseModel):
    elapsed_s: float | None = None
    parcels_placed: int | None = None
    best_crew_s: int | None = None


class JobOut(BaseModel):
    id: str
    site: str
    date: str
    status: Literal["waiting", "queued", "running", "done", "failed"]
    ahead: int | None = Field(
        default=None,
        description="a waiting job's place: plans queued, running or waiting to start before it "
        "(in GET /jobs/{id} and the answer that made it)",
    )
    plan_id: str | None
    error: str | None
    progress: JobProgress
    created_at: datetime
    finished_at: datetime | None


class StaffingRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    policy: Literal["notify_one", "ring_each", "both"] | None = Field(
        default=None, description="stop policy to staff for; `both` answers for each (default: the roster's)"
    )
    try_s: float = Field(
        default=3.0,
        gt=0,
        le=10,
        description="search seconds for each crew count tried (a shift takes one to several tries; "
        "at most 10, as a run holds a solver process for every try)",
    )


class StaffingRowOut(BaseModel):
    policy: str
    shift: str
    parcels: int
    riders: int = Field(description="the fewest riders that clear the shift (or all the fleet has, and more)")
    vehicles: dict[str, int] = Field(description="crews by vehicle that rode in the try that answered")
    delivered: int
    finish: str | None = Field(description="the last crew back at the gate, HH:MM:SS")
    crew_hours: float
    clears: bool = Field(description="every parcel arriving for the shift goes out in it")
    added: dict[str, int] = Field(description="vehicles beyond the roster's fleet that try had (up to 4)")
    beyond_crews: dict[str, int] = Field(
        default_factory=dict,
        description="parcels left for a cause more crews do not remove, by the plan's cause: "
        "`no_sealed_team` (a sealed building wants a designated pair), `behind_sealed_zone`, "
        "`lane_closed`, `sorter_pace` (a sorter more), `standing` (loadable too late)",
    )


class StaffingOut(BaseModel):
    id: str
    site: str
    date: str
    status: Literal["queued", "running", "done", "failed"]
    policies: list[str]
    try_s: float
    rows: list[StaffingRowOut] = Field(description="a row per policy and shift, written as each is found")
    error: str | None
    created_at: datetime
    finished_at: datetime | None


class ShiftOut(BaseModel):
    plan_id: str
    site: str
    date: str
    shift: dict[str, Any]


class Me(BaseModel):
    role: Literal["admin", "district", "coordinator", "courier", "viewer"]
    site: str | None = Field(
        description="the token's site; null for the admin token (every site) and a district's"
    )
    district: str | None = Field(
        default=None,
        description="a district token's district: its sites, as their coordinator (role district) or to look at (viewer)",
    )
    token_id: int | None = Field(
        default=None, description="the token's id in the token lists; null for the admin token"
    )


class TokenCreate(BaseModel):
    role: Literal["coordinator", "courier", "viewer"] = Field(
        description="viewer: reads the site's days, plans and cards, changes nothing"
    )
    label: str = Field(default="", max_length=200)


class TokenOut(BaseModel):
    id: int
    site: str | None = Field(description="the site of a site's token; null for a district's")
    district: str | None = Field(default=None, description="the district of a district's token")
    role: str
    label: str
    created_at: datetime
    revoked: bool


class DistrictOut(BaseModel):
    district: str
    sites: int = Field(description="compounds in the district")
    tokens: int = Field(description="the office's tokens not revoked: 0 means its office cannot sign in")
    viewers: int = Field(
        default=0, description="viewer tokens not revoked (they see the district, change nothing)"
    )


class TokenCreated(TokenOut):
    token: str = Field(description="shown once; store it now")


class DistrictTokenCreate(BaseModel):
    label: str = Field(default="", max_length=200)
    role: Literal["district", "viewer"] = Field(
        default="district",
        description="district: the office, coordinator of every compound in the district; viewer: sees them, changes nothing",
    )


class SiteDistrict(BaseModel):
    district: str | None = Field(
        pattern=r"^[A-Za-z0-9_.-]{1,100}$", description="the district the site belongs to; null: none"
    )


SiteDayStatus = Literal[
    "planning", "no_operations", "no_counts", "failed", "not_planned", "outdated", "undelivered", "ok"
]


class PlanGlance(BaseModel):
    id: str
    created_at: datetime
    parcels: int
    delivered: int
    undelivered: int
    urgent_undelivered: int
    late_urgent: int = Field(
        default=0, description="urgent parcels it brings past their window (no crew could sooner)"
    )
    trips: int
    crew_hours: float
    replanned_at: str | None = Field(
        default=None, description="HH:MM:SS: a re-plan that kept the trips on the road by then"
    )
    up_to_date: bool = Field(
        description="made from the day's counts, the site map and its operations as they are now"
    )


class JobGlance(BaseModel):
    id: str
    status: Literal["waiting", "queued", "running", "done", "failed"]
    error: str | None
    created_at: datetime


class TripsBack(BaseModel):
    trips: int = Field(description="trips the sorter reported back at the gate")
    returned: int = Field(description="parcels they brought back")
    again: int = Field(description="of them, to go out again (all but the refused)")
    sent_again: int = Field(default=0, description="of those, added to the day's counts to go again that day")
    late_min: float | None = Field(
        default=None,
        description="mean minutes the trips with a time back came back after the plan said (negative: early): "
        "whether the plan's stop and ride times hold",
    )


class StopTimesOut(BaseModel):
    """What the day's trips back say of the wait at a building (`optimizer.trip_times`)."""

    trips: int = Field(description="trips back with a time (and their stops known)")
    needed: int = Field(description="trips back with a time it takes before the wait is read off them")
    stops: int = Field(description="the stops those trips made")
    per_stop_s: float | None = Field(
        default=None,
        description="seconds each stop took beyond the plan, each trip charged only with what it lost "
        "itself (negative: less); null until enough trips are back with a time",
    )
    planned_wait_s: int | None = Field(
        default=None, description="the wait at a building the plans assumed (`stop.wait_s`)"
    )
    wait_s: int | None = Field(default=None, description="the wait the day's roster sets now")
    suggested_wait_s: int | None = Field(
        default=None,
        description="the wait that would have made the trips' times hold; null while the plan's holds "
        "(within 10 s a stop) or it is not yet known",
    )


class LeftBefore(BaseModel):
    """Parcels an earlier day left at the gate that a day's counts do not hold."""

    date: str = Field(description="the most recent earlier day with a plan")
    parcels: int = Field(
        description="its latest plan's undelivered and its trips' brought back to go again, with what "
        "the days before it left that its plan was made without (followed back a fortnight of planned "
        "days, unless set aside), less the parcels this day's counts hold over"
    )
    since: str = Field(
        description="the day the oldest of them was left: `date`, or an earlier day when a day was "
        "planned without the leftovers before it"
    )


class SiteDay(BaseModel):
    site: str
    name: str
    date: str
    counts: CountTotals | None = Field(description="None: no counts posted for the day")
    plan: PlanGlance | None = Field(description="the latest plan of the day")
    job: JobGlance | None = Field(description="the latest planning job of the day")
    back: TripsBack | None = Field(
        default=None,
        description="trips reported back at the gate (PUT …/trips/{trip}/report); None: none yet",
    )
    own_roster: bool = Field(
        default=False,
        description="the day has a roster of its own (GET /sites/{site}/days/{date}/operations); "
        "else the compound's usual roster applies",
    )
    sealed_buildings: int = Field(
        default=0,
        description="buildings the map has sealed now, on their own or by a sealed zone (door delivery only); "
        "the map as it is, not as it was on `date`",
    )
    closed_lanes: int = Field(default=0, description="lanes the map has closed now (barricades)")
    left_before: LeftBefore | None = Field(
        default=None,
        description="parcels the most recent earlier day's plan left at the gate and this day's counts do "
        "not hold (POST …/counts/held-over adds them): on a day planned already, what its plan was made "
        "without, unless the counts changed since; None: none waiting",
    )
    status: SiteDayStatus = Field(
        description=(
            "planning: a job newer than the latest plan is waiting, queued or running; no_operations: no counts, "
            "and the site has no shifts and vehicles to take them; no_counts; failed: the "
            "newest job failed; not_planned: counts but no plan; outdated: the counts, the site map, "
            "its operations or the day's own roster changed after the latest plan's inputs were taken; undelivered: the plan leaves parcels undelivered; ok"
        )
    )


class DayTotals(BaseModel):
    sites: int
    parcels: int = Field(description="counted")
    held_over: int = Field(default=0, description="of them, held over from earlier days: the backlog")
    delivered: int = Field(description="by the latest plans")
    undelivered: int
    urgent_undelivered: int
    late_urgent: int = Field(default=0, description="urgent parcels the latest plans bring past their window")
    statuses: dict[str, int]


class DistrictDay(BaseModel):
    date: str
    sites: int = Field(description="compounds the token sees (not archived)")
    counted_sites: int = Field(description="of them, with counts on the day")
    parcels: int = Field(description="counted")
    held_over: int = Field(description="of them, held over from earlier days: the backlog")
    planned_sites: int = Field(description="compounds with a plan of the day")
    delivered: int = Field(description="by the latest plans")
    undelivered: int = Field(description="left by the latest plans, for the next day")
    urgent_undelivered: int
    late_urgent: int = Field(default=0, description="urgent parcels the latest plans bring past their window")
    returned: int = Field(default=0, description="brought back to the gate by the trips reported back")
    left_before: int = Field(
        default=0,
        description="parcels earlier days left at the compounds' gates that their counts of the day do "
        "not hold: the compounds' `left_before` summed",
    )


class DayOverview(BaseModel):
    date: str
    sites: list[SiteDay]
    totals: DayTotals = Field(description="over every site the token sees, whatever `needs_attention` says")


class HistoryEntry(BaseModel):
    at: datetime
    date: str | None = Field(description="the day the change concerns; null for one that holds for every day")
    who: str = Field(description="the token's label when it was used (its role when it had none)")
    role: str
    action: str = Field(description="what kind of change (api.history.ACTIONS)")
    detail: dict[str, Any]
    text: str = Field(description="what was done, in a sentence; in Chinese for a client that asks")


class ReturnedIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    building: str = Field(min_length=1, max_length=100, description="a stop of the trip, by building id")
    parcels: int = Field(ge=1, le=100_000, description="brought back from that building")
    urgent: int = Field(default=0, ge=0, le=100_000, description="of them, urgent")
    reason: Literal["no_answer", "sealed", "refused", "other"] = Field(
        default="no_answer",
        description="no_answer: nobody came down for them; sealed: the building was sealed; refused: back "
        "to the sender (not held over); other",
    )


class TripReportIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    back_at: str | None = Field(
        default=None,
        pattern=r"^\d{1,2}:\d{2}(:\d{2})?$",
        description="HH:MM, the compound's clock: when the trip was back at the gate (after it left)",
    )

    returned: list[ReturnedIn] = Field(
        default=[], max_length=1000, description="what the trip brought back; empty: everything was delivered"
    )


class ReturnedOut(BaseModel):
    building: str
    parcels: int
    urgent: int
    reason: str
    reason_text: str = Field(description="the reason in words, in Chinese for a client that asks")
    held_from: str | None = Field(
        default=None,
        description="the earlier day these parcels first reached the gate, when they were held over",
    )


class TripReportOut(BaseModel):
    site: str
    date: str
    plan_id: str = Field(description="the plan the report was made on")
    shift: str
    crew: str
    trip: int = Field(description="1-based, as on the crew's route card")
    depart: str = Field(description="HH:MM:SS: with the crew, what the report is kept by across re-plans")
    parcels: int = Field(description="the trip's load")
    planned_return: str | None = Field(default=None, description="HH:MM:SS: when the plan had it back")
    back_at: str | None = Field(default=None, description="HH:MM:SS: when the sorter said it was back")
    late_min: int | None = Field(
        default=None, description="minutes back after the plan said (negative: early); null without back_at"
    )
    returned: list[ReturnedOut]
    returned_parcels: int
    again_parcels: int = Field(description="of them, to go out again (all but the refused)")
    reported_at: datetime
    reported_by: str = Field(description="the token's label (its role when it has none)")
    sent_again_at: datetime | None = Field(
        default=None,
        description="when what it brought back to go again was added to the day's counts (POST "
        "…/counts/brought-back); null: it is held over into the next day",
    )
